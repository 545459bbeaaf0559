// `streams kafka-mock [--brokers N] [--topic NAME:PARTITIONS]... [--bootstrap-file PATH]`:
// the embedded Kafka-protocol broker, for development, until SIGINT/SIGTERM.

#include "commands.hpp"

#include "streams/kafka/embedded_broker.hpp"

#include <CLI/CLI.hpp>

#include <csignal>
#include <fstream>
#include <iostream>

namespace streams::cli {

namespace {

/// "name:partitions" (partitions default to 1).
kafka::topic_spec parse_topic(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos)
    return {text, 1};
  auto name = text.substr(0, colon);
  auto count = text.substr(colon + 1);
  int partitions = 0;
  try {
    std::size_t used = 0;
    partitions = std::stoi(count, &used);
    if (used != count.size())
      partitions = 0;
  } catch (const std::exception&) {}
  if (name.empty() || partitions < 1)
    throw CLI::ValidationError("--topic", "expected NAME:PARTITIONS with PARTITIONS >= 1, found '"
                                              + text + "'");
  return {name, partitions};
}

} // namespace

void add_kafka_mock_command(CLI::App& cli, action& chosen) {
  struct options {
    int brokers = 1;
    std::vector<std::string> topics;
    std::string bootstrap_file;
  };
  auto o = std::make_shared<options>();
  auto* cmd = cli.add_subcommand(
      "kafka-mock",
      "Run the embedded Kafka-protocol broker (development only) until SIGINT/SIGTERM");
  cmd->add_option("--brokers", o->brokers, "how many brokers")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  cmd->add_option("--topic", o->topics, "a topic to create, NAME:PARTITIONS (repeatable)");
  cmd->add_option("--bootstrap-file", o->bootstrap_file,
                  "also write the bootstrap servers to this file");
  cmd->callback([o, &chosen] {
    std::vector<kafka::topic_spec> topics;
    for (auto& t : o->topics)
      topics.push_back(parse_topic(t));
    chosen = [o, topics] {
      // Block the signals before the broker's threads start, so that they inherit the mask
      // and only sigwait below sees SIGINT/SIGTERM.
      sigset_t stop_signals;
      sigemptyset(&stop_signals);
      sigaddset(&stop_signals, SIGINT);
      sigaddset(&stop_signals, SIGTERM);
      pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
      kafka::embedded_broker broker(o->brokers, topics);
      if (!o->bootstrap_file.empty()) {
        std::ofstream f(o->bootstrap_file);
        f << broker.bootstrap_servers() << "\n";
        if (!f)
          throw std::runtime_error("cannot write bootstrap file '" + o->bootstrap_file + "'");
      }
      std::cout << broker.bootstrap_servers() << std::endl;
      std::cerr
          << "streams: embedded Kafka broker for development only: in memory, nothing persists; "
             "stop it with Ctrl-C\n";
      int sig = 0;
      sigwait(&stop_signals, &sig);
      return exit_ok;
    };
  });
}

} // namespace streams::cli
