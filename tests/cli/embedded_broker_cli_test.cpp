// `bootstrap_servers: [embedded]`: `streams run` starts a broker inside its own process, logs
// where it listens, and creates the configured topics on it; clients outside can use it.

#include "cli/cli_test_support.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <fstream>
#include <regex>

using namespace streams::test;
using namespace std::chrono_literals;

TEST_SUITE("cli.embedded_broker") {
  TEST_CASE("run with [embedded] brokers serves the pipeline's topics to other clients") {
    temp_directory dir;
    auto config = dir.file("deploy.yaml");
    std::ofstream(config) << "pipeline:\n  segments:\n    - steps_config:\n"
                             "        myinput:\n          bootstrap_servers: [embedded]\n"
                             "          auto_offset_reset: earliest\n"
                             "        hello_sink:\n          bootstrap_servers: [embedded]\n"
                             "        goodbye_sink:\n          bootstrap_servers: [embedded]\n";
    child_process run({streams_bin, "run", "--config", config, "broadcast"}, dir.path());
    INFO("streams stderr: " << run.err());
    std::smatch address;
    std::string err;
    const std::regex logged("started the embedded Kafka broker at (127\\.0\\.0\\.1:[0-9]+)");
    REQUIRE(eventually(
        [&] {
          err = run.err();
          return std::regex_search(err, address, logged);
        },
        20s));
    const std::string bootstrap = address[1];
    produce(bootstrap, "events", {R"({"name":"inside"})"});
    CHECK(read_topic_until(bootstrap, "transformed-events", 1, 30s)
          == std::vector<std::string>{"Hello, inside!"});
    CHECK(read_topic_until(bootstrap, "transformed-events-2", 1, 30s)
          == std::vector<std::string>{"Goodbye, inside."});
    CHECK(stop(run, SIGTERM) == 0);
  }
}
