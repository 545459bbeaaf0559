// ${envvar:NAME} through `streams run`: brokers and topics taken from the environment of the
// process reach the Kafka source and sink; text that only contains ${envvar:...} stays as written.

#include "cli/cli_test_support.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <fstream>

using namespace streams::test;
using namespace std::chrono_literals;

TEST_SUITE("cli.envvars") {
  TEST_CASE("brokers and topics come from the environment, and partial matches stay literal") {
    kafka_mock broker({"metrics-from-env:2", "counters-from-env:2"});
    temp_directory dir;
    auto config = dir.file("deploy.yaml");
    std::ofstream(config) << R"(pipeline:
  segments:
    - steps_config:
        myinput:
          bootstrap_servers: ["${envvar:TEST_BROKERS}"]
          topic: "${envvar:TEST_INPUT_TOPIC}"
          consumer_group: "group-${envvar:TEST_GROUP}"
          auto_offset_reset: earliest
        mysink:
          bootstrap_servers: ["${envvar:TEST_BROKERS}"]
          topic: ${envvar:TEST_OUTPUT_TOPIC}
)";
    produce(
        broker.bootstrap(), "metrics-from-env",
        {R"({"type":"c","name":"a"})", R"({"type":"d","name":"b"})", R"({"type":"c","name":"c"})"});
    child_process run({streams_bin, "run", "--config", config, "simple_map_filter"}, dir.path(),
                      {{"TEST_BROKERS", broker.bootstrap()},
                       {"TEST_INPUT_TOPIC", "metrics-from-env"},
                       {"TEST_OUTPUT_TOPIC", "counters-from-env"},
                       {"TEST_GROUP", "substituted"}});
    INFO("streams stderr: " << run.err());
    CHECK(read_topic_until(broker.bootstrap(), "counters-from-env", 2, 30s).size() == 2);
    CHECK(stop(run, SIGTERM) == 0);
    CHECK(sorted(read_topic(broker.bootstrap(), "counters-from-env"))
          == std::vector<std::string>{R"({"type":"c","name":"a","transformed":true})",
                                      R"({"type":"c","name":"c","transformed":true})"});
    // the consumer group is the text as written, not "group-substituted"
    CHECK(committed_to_end(
        group_progress(broker.bootstrap(), "group-${envvar:TEST_GROUP}", "metrics-from-env")));
    CHECK_FALSE(committed_anything(
        group_progress(broker.bootstrap(), "group-substituted", "metrics-from-env")));
  }
}
