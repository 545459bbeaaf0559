// `parallelism` in steps_config runs that many instances of a transform step.

#include "cli/cli_test_support.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <fstream>

using namespace streams::test;
using namespace std::chrono_literals;

TEST_CASE("parallelism runs that many instances of a transform step, and loses nothing") {
  kafka_mock broker({"ingest-metrics:4", "transformed-events:4"});
  temp_directory dir;
  auto config_path = dir.file("deploy.yaml");
  std::ofstream(config_path) << R"(pipeline:
  segments:
    - parallelism: 2
      steps_config:
        myinput:
          bootstrap_servers: ["${envvar:STREAMS_BOOTSTRAP_SERVERS}"]
          auto_offset_reset: earliest
        transform:
          parallelism: 3
        mysink:
          bootstrap_servers: ["${envvar:STREAMS_BOOTSTRAP_SERVERS}"]
)";
  std::vector<std::string> input, expected;
  for (int i = 0; i < 200; ++i) {
    auto type = i % 4 == 0 ? "d" : "c";
    auto text = R"({"n":)" + std::to_string(i) + R"(,"type":")" + type + R"("})";
    input.push_back(text);
    if (i % 4 != 0)
      expected.push_back(text.substr(0, text.size() - 1) + R"(,"transformed":true})");
  }
  produce(broker.bootstrap(), "ingest-metrics", input); // spread over the 4 partitions
  child_process run({streams_bin, "run", "--config", config_path, "simple_map_filter"}, dir.path(),
                    {{"STREAMS_BOOTSTRAP_SERVERS", broker.bootstrap()}});
  auto out = read_topic_until(broker.bootstrap(), "transformed-events", expected.size(), 30s);
  CHECK(sorted(out) == sorted(expected));
  REQUIRE(stop(run, SIGTERM) == 0);
  // The segment's parallelism for the steps without one of their own; sources and sinks run one.
  auto log = run.err();
  CHECK(log.find("step 'parser' (2 instances): 200 in, 200 out") != std::string::npos);
  CHECK(log.find("step 'filter' (2 instances): 200 in, 150 out, 50 dropped") != std::string::npos);
  CHECK(log.find("step 'transform' (3 instances): 150 in, 150 out") != std::string::npos);
  CHECK(log.find("step 'serializer' (2 instances)") != std::string::npos);
  CHECK(log.find("step 'myinput': 200 in") == std::string::npos); // a source counts only out
  CHECK(log.find("step 'myinput': 0 in, 200 out") != std::string::npos);
  CHECK(log.find("step 'mysink': 150 in, 150 out") != std::string::npos);
  CHECK(log.find("applies to transform steps") != std::string::npos); // myinput, mysink
}
