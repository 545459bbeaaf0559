// streams_bench: the benchmarks of docs/benchmarks.md, each side by side with its baselines in
// one run. Prints Markdown on standard output, progress on standard error.
//
//   streams_bench [--runs N] [--only memory|kafka|cli|windows|changelog|cluster]...
//                 [--side pipeline|loop|python|cli|metrics]... [--memory-messages N]
//                 [--window-events N] [--cluster-messages N]
//                 [--kafka-per-partition N] [--latency-seconds S] [--cli-per-partition N]
//                 [--streams PATH] [--python PATH] [--source-dir PATH]

#include "benchmarks.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace streams::bench;

namespace {

[[noreturn]] void usage(const char* why) {
  std::fprintf(
      stderr,
      "streams_bench: %s\n"
      "usage: streams_bench [--runs N]\n"
      "                     [--only memory|kafka|cli|windows|changelog|cluster]...\n"
      "                     [--side pipeline|loop|python|cli|metrics]... [--memory-messages N]\n"
      "                     [--window-events N] [--cluster-messages N]\n"
      "                     [--kafka-per-partition N] [--latency-seconds S]\n"
      "                     [--cli-per-partition N] [--streams PATH] [--python PATH]\n"
      "                     [--source-dir PATH]\n",
      why);
  std::exit(2);
}

} // namespace

int main(int argc, char** argv) {
  options o;
  o.streams_cli = STREAMS_CLI_PATH;
  o.source_dir = STREAMS_SOURCE_DIR;
  for (int i = 1; i < argc; i += 2) {
    std::string flag = argv[i];
    if (i + 1 >= argc)
      usage(("missing the value of " + flag).c_str());
    std::string value = argv[i + 1];
    if (flag == "--runs")
      o.runs = std::atoi(value.c_str());
    else if (flag == "--only") {
      if (value != "memory" && value != "kafka" && value != "cli" && value != "windows"
          && value != "changelog" && value != "cluster")
        usage(("unknown benchmark " + value).c_str());
      o.only.push_back(value);
    } else if (flag == "--side") {
      if (value != "pipeline" && value != "loop" && value != "python" && value != "cli"
          && value != "metrics")
        usage(("unknown side " + value).c_str());
      o.sides.push_back(value);
    } else if (flag == "--memory-messages")
      o.memory_messages = std::strtoull(value.c_str(), nullptr, 10);
    else if (flag == "--window-events")
      o.window_events = std::strtoull(value.c_str(), nullptr, 10);
    else if (flag == "--window-child")
      o.window_child = value;
    else if (flag == "--cluster-messages")
      o.cluster_messages = std::strtoull(value.c_str(), nullptr, 10);
    else if (flag == "--cluster-node")
      o.cluster_node = value;
    else if (flag == "--listen")
      o.listen = value;
    else if (flag == "--caf-receiver")
      o.caf_receiver = value;
    else if (flag == "--kafka-per-partition")
      o.kafka_per_partition = std::strtoull(value.c_str(), nullptr, 10);
    else if (flag == "--latency-seconds")
      o.latency_seconds = std::atof(value.c_str());
    else if (flag == "--cli-per-partition")
      o.cli_per_partition = std::strtoull(value.c_str(), nullptr, 10);
    else if (flag == "--streams")
      o.streams_cli = value;
    else if (flag == "--python")
      o.python = value;
    else if (flag == "--source-dir")
      o.source_dir = value;
    else
      usage(("unknown option " + flag).c_str());
  }
  if (o.runs < 1)
    usage("--runs must be at least 1");
  // The runtime's and the Kafka layer's loggers write to standard error; only trouble matters.
  spdlog::set_level(spdlog::level::warn);
  std::signal(SIGPIPE, SIG_IGN);
  if (!o.window_child.empty()) {
    window_child(o);
    std::fflush(stdout);
    return 0;
  }
  if (!o.cluster_node.empty())
    cluster_node(o);
  if (!o.caf_receiver.empty())
    caf_receiver(o);

  if (o.selected("memory"))
    memory_benchmark(o);
  if (o.selected("kafka"))
    kafka_benchmark(o);
  if (o.selected("cli"))
    cli_benchmark(o);
  if (o.selected("windows"))
    window_benchmark(o);
  if (o.selected("changelog"))
    changelog_benchmark(o);
  if (o.selected("cluster"))
    cluster_benchmark(o);
  std::fflush(stdout);
  return 0;
}
