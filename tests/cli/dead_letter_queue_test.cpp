// Invalid messages go to the dead-letter topic a source's config names: the original bytes,
// with headers that say which step rejected them and why, and their offsets are committed so the
// pipeline moves on. Run as a user runs it: `streams run` against `streams kafka-mock`.

#include "cli/cli_test_support.hpp"
#include "support/run_process.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <fstream>

using namespace streams::test;
using namespace std::chrono_literals;

namespace {

const char* config = R"(pipeline:
  segments:
    - steps_config:
        myinput:
          bootstrap_servers: ["${envvar:STREAMS_BOOTSTRAP_SERVERS}"]
          auto_offset_reset: earliest
          dlq:
            topic: ingest-metrics-dlq
            bootstrap_servers: ["${envvar:STREAMS_BOOTSTRAP_SERVERS}"]
        mysink:
          bootstrap_servers: ["${envvar:STREAMS_BOOTSTRAP_SERVERS}"]
)";

} // namespace

TEST_CASE("a malformed message goes to the source's dead-letter topic, and the pipeline goes on") {
  kafka_mock broker({"ingest-metrics:1", "transformed-events:1", "ingest-metrics-dlq:1"});
  temp_directory dir;
  auto config_path = dir.file("deploy.yaml");
  std::ofstream(config_path) << config;

  produce(broker.bootstrap(), "ingest-metrics",
          {R"({"type":"c","name":"a"})", "this is not JSON", R"({"type":"c","name":"b"})"});
  child_process run({streams_bin, "run", "--config", config_path, "simple_map_filter"}, dir.path(),
                    {{"STREAMS_BOOTSTRAP_SERVERS", broker.bootstrap()}});

  auto out = read_topic_until(broker.bootstrap(), "transformed-events", 2, 30s);
  CHECK(sorted(out)
        == std::vector<std::string>{R"({"type":"c","name":"a","transformed":true})",
                                    R"({"type":"c","name":"b","transformed":true})"});
  auto dead = read_topic_until(broker.bootstrap(), "ingest-metrics-dlq", 1, 30s);
  REQUIRE(dead == std::vector<std::string>{"this is not JSON"});
  // the headers say where and why: kcat prints them as name=value, comma separated
  auto headers = run_process({"kcat", "-C", "-b", broker.bootstrap(), "-t", "ingest-metrics-dlq",
                              "-e", "-q", "-f", "%h\n"});
  CHECK(headers.out.find("streams-step=parser") != std::string::npos);
  CHECK(headers.out.find("streams-error=invalid JSON at offset") != std::string::npos);
  CHECK(headers.out.find("streams-origin=0/0/1") != std::string::npos);

  CHECK(stop(run, SIGTERM) == 0);
  // the dead letter's offset is done like any other: the group has committed all three
  CHECK(committed_to_end(group_progress(broker.bootstrap(), "pipeline-myinput", "ingest-metrics")));
}
