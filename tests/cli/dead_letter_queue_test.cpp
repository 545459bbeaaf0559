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

TEST_CASE("malformed messages go to the source's dead-letter topic, and the pipeline goes on") {
  kafka_mock broker({"ingest-metrics:1", "transformed-events:1", "ingest-metrics-dlq:1"});
  temp_directory dir;
  auto config_path = dir.file("deploy.yaml");
  std::ofstream(config_path) << config;

  // ~160 KB of valid JSON nested 80,000 deep: a parser that recurses without bound dies on it
  auto too_deep = std::string(80000, '[') + std::string(80000, ']');
  auto not_utf8 = std::string(R"({"type":"c","name":"caf)") + "\xC3\x28" + R"("})";
  produce(broker.bootstrap(), "ingest-metrics",
          {R"({"type":"c","name":"a"})", "this is not JSON", too_deep, not_utf8,
           R"({"type":"d","name":"repeated","type":"c"})", R"({"type":"c","name":"b"})"});
  child_process run({streams_bin, "run", "--config", config_path, "simple_map_filter"}, dir.path(),
                    {{"STREAMS_BOOTSTRAP_SERVERS", broker.bootstrap()}});

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
  CHECK(headers.out.find("streams-step=parser") != std::string::npos);
  CHECK(headers.out.find("streams-error=invalid JSON at offset") != std::string::npos);
  CHECK(headers.out.find("streams-origin=0/0/1") != std::string::npos);
  CHECK(headers.out.find("nested deeper than 1000 levels") != std::string::npos);
  CHECK(headers.out.find("streams-origin=0/0/2") != std::string::npos);
  CHECK(headers.out.find("Invalid encoding in string") != std::string::npos);
  CHECK(headers.out.find("streams-origin=0/0/3") != std::string::npos);

  CHECK(stop(run, SIGTERM) == 0);
  // the dead letters' offsets are done like any others: the group has committed all six
  CHECK(committed_to_end(
      group_progress(broker.bootstrap(), "simple_map_filter.myinput", "ingest-metrics")));
}
