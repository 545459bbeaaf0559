// What `streams run` does with invalid messages, as a user runs it against `streams kafka-mock`:
// with a source's `dlq`, the original record goes to the dead-letter topic with headers that say
// where it came from and why, and its offset is committed so the pipeline moves on; without one
// the pipeline stops at it (exit 1), as do the dlq's limits, committing nothing past it.

#include "cli/cli_test_support.hpp"
#include "support/run_process.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <fstream>

using namespace streams::test;
using namespace std::chrono_literals;

namespace {

/// A config for simple_map_filter whose source `myinput` has `source_extra` (YAML at the
/// indentation of its keys).
std::string config_with(const std::string& source_extra) {
  return R"(pipeline:
  segments:
    - steps_config:
        myinput:
          bootstrap_servers: ["${envvar:STREAMS_BOOTSTRAP_SERVERS}"]
          auto_offset_reset: earliest
)" + source_extra
         + R"(        mysink:
          bootstrap_servers: ["${envvar:STREAMS_BOOTSTRAP_SERVERS}"]
)";
}

const char* dlq = R"(          dlq:
            topic: ingest-metrics-dlq
            bootstrap_servers: ["${envvar:STREAMS_BOOTSTRAP_SERVERS}"]
)";

/// Writes `text` to `path`; returns `path`.
std::string written(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

/// `streams run --config CONFIG simple_map_filter` against `broker`, CONFIG holding `config`.
struct map_filter_run {
  map_filter_run(const kafka_mock& broker, const std::string& config)
      : process({streams_bin, "run", "--config", written(dir.file("deploy.yaml"), config),
                 "simple_map_filter"},
                dir.path(), {{"STREAMS_BOOTSTRAP_SERVERS", broker.bootstrap()}}) {}

  temp_directory dir;
  child_process process;
};

long long committed_of_partition_0(const kafka_mock& broker) {
  return group_progress(broker.bootstrap(), "pipeline-myinput", "ingest-metrics").at(0).committed;
}

} // namespace

TEST_CASE("malformed messages go to the source's dead-letter topic, and the pipeline goes on") {
  kafka_mock broker({"ingest-metrics:1", "transformed-events:1", "ingest-metrics-dlq:1"});
  // ~160 KB of valid JSON nested 80,000 deep: a parser that recurses without bound dies on it
  auto too_deep = std::string(80000, '[') + std::string(80000, ']');
  auto not_utf8 = std::string(R"({"type":"c","name":"caf)") + "\xC3\x28" + R"("})";
  produce(broker.bootstrap(), "ingest-metrics",
          {R"({"type":"c","name":"a"})", "this is not JSON", too_deep, not_utf8,
           R"({"type":"d","name":"repeated","type":"c"})", R"({"type":"c","name":"b"})"});
  map_filter_run run(broker, config_with(dlq));

  // a repeated key has its last value, as in Python: "repeated" is a "c" and passes the filter
  auto out = read_topic_until(broker.bootstrap(), "transformed-events", 3, 30s);
  CHECK(sorted(out)
        == std::vector<std::string>{R"({"type":"c","name":"a","transformed":true})",
                                    R"({"type":"c","name":"b","transformed":true})",
                                    R"({"type":"c","name":"repeated","transformed":true})"});
  auto dead = read_topic_until(broker.bootstrap(), "ingest-metrics-dlq", 3, 30s);
  REQUIRE(dead == std::vector<std::string>{"this is not JSON", too_deep, not_utf8});
  // the headers say where and why: kcat prints them as name=value, comma separated
  auto headers = run_process({"kcat", "-C", "-b", broker.bootstrap(), "-t", "ingest-metrics-dlq",
                              "-e", "-q", "-f", "%h\n"});
  INFO("headers: " << headers.out << "\nstreams stderr: " << run.process.err());
  CHECK(headers.out.find("streams-original-topic=ingest-metrics") != std::string::npos);
  CHECK(headers.out.find("streams-original-partition=0") != std::string::npos);
  CHECK(headers.out.find("streams-original-offset=1") != std::string::npos);
  CHECK(headers.out.find("streams-step=parser") != std::string::npos);
  CHECK(headers.out.find("streams-error=invalid JSON at offset") != std::string::npos);
  CHECK(headers.out.find("streams-rejected-at=") != std::string::npos);
  CHECK(headers.out.find("streams-original-offset=2") != std::string::npos);
  CHECK(headers.out.find("nested deeper than 1000 levels") != std::string::npos);
  CHECK(headers.out.find("streams-original-offset=3") != std::string::npos);
  CHECK(headers.out.find("Invalid encoding in string") != std::string::npos);

  CHECK(stop(run.process, SIGTERM) == 0);
  // the dead letters' offsets are done like any others: the group has committed all six
  CHECK(committed_to_end(group_progress(broker.bootstrap(), "pipeline-myinput", "ingest-metrics")));
}

TEST_CASE("without a dead-letter queue, an invalid message stops the pipeline with nothing "
          "committed past it") {
  kafka_mock broker({"ingest-metrics:1", "transformed-events:1"});
  std::vector<std::string> input;
  for (int i = 0; i < 8; ++i)
    input.push_back(i == 5 ? "this is not JSON" : R"({"type":"c","n":)" + std::to_string(i) + "}");
  produce(broker.bootstrap(), "ingest-metrics", input);
  map_filter_run run(broker, config_with(""));

  auto code = run.process.wait(30s);
  INFO("stderr: " << run.process.err());
  REQUIRE(code);
  CHECK(*code == 1);
  auto err = run.process.err();
  CHECK(err.find("step 'parser'") != std::string::npos);
  CHECK(err.find("source 'myinput' partition 0 offset 5") != std::string::npos);
  CHECK(err.find("invalid JSON") != std::string::npos);
  CHECK(committed_of_partition_0(broker) <= 5);
}

TEST_CASE("on_invalid: drop counts and logs an invalid message and goes on") {
  kafka_mock broker({"ingest-metrics:1", "transformed-events:1"});
  produce(broker.bootstrap(), "ingest-metrics",
          {R"({"type":"c","name":"a"})", "this is not JSON", R"({"type":"c","name":"b"})"});
  map_filter_run run(broker, config_with("          on_invalid: drop\n"));

  CHECK(read_topic_until(broker.bootstrap(), "transformed-events", 2, 30s).size() == 2);
  CHECK(stop(run.process, SIGTERM) == 0);
  CHECK(run.process.err().find("dropped an invalid message from source 'myinput' partition 0 "
                               "offset 1")
        != std::string::npos);
  CHECK(committed_to_end(group_progress(broker.bootstrap(), "pipeline-myinput", "ingest-metrics")));
}

TEST_CASE("past the dead-letter queue's max_consecutive_count the pipeline stops, committing "
          "nothing past the message") {
  kafka_mock broker({"ingest-metrics:1", "transformed-events:1", "ingest-metrics-dlq:1"});
  std::vector<std::string> input;
  for (int i = 0; i < 10; ++i) // offsets 4, 5 and 6 are invalid
    input.push_back(i >= 4 && i <= 6 ? "not JSON"
                                     : R"({"type":"c","n":)" + std::to_string(i) + "}");
  produce(broker.bootstrap(), "ingest-metrics", input);
  map_filter_run run(broker,
                     config_with(std::string(dlq) + "            max_consecutive_count: 2\n"));

  auto code = run.process.wait(30s);
  INFO("stderr: " << run.process.err());
  REQUIRE(code);
  CHECK(*code == 1);
  CHECK(run.process.err().find("partition 0: 3 invalid messages in a row, more than "
                               "max_consecutive_count 2")
        != std::string::npos);
  CHECK(committed_of_partition_0(broker) <= 6);
}
