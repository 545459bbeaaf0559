// The installed `streams` CLI runs an app built outside the tree against the installed
// package (app/shout_app.cpp, built by the install/package test, which installs the prefix):
// words produced with kcat to the embedded broker come out shouted, read back with kcat.

#include "cli/cli_test_support.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <fstream>

using namespace streams::test;
using namespace std::chrono_literals;

TEST_SUITE("install.cli") {
  TEST_CASE("the installed streams runs an app library built against the installed package") {
    const std::string app = SHOUT_APP;
    REQUIRE(std::ifstream(app).good()); // built by install/package
    kafka_mock broker({"words:2", "shouted-words:2"});
    temp_directory dir;
    auto config = dir.file("deploy.yaml");
    std::ofstream(config) << "pipeline:\n  segments:\n    - steps_config:\n"
                             "        words:\n"
                             "          bootstrap_servers: [\"${envvar:BROKERS}\"]\n"
                             "          auto_offset_reset: earliest\n"
                             "        shouted:\n"
                             "          bootstrap_servers: [\"${envvar:BROKERS}\"]\n";
    std::map<std::string, std::string> env{{"BROKERS", broker.bootstrap()}};

    auto valid = run_cli({"validate", "--config", config, app}, env);
    INFO("validate stderr: " << valid.err);
    CHECK(valid.code == 0);

    produce(broker.bootstrap(), "words", {"hello", "out", "of", "tree"});
    child_process run({streams_bin, "run", "--name", "shouting", "--config", config, app},
                      dir.path(), env);
    INFO("run stderr: " << run.err());
    CHECK(read_topic_until(broker.bootstrap(), "shouted-words", 4, 30s).size() == 4);
    produce(broker.bootstrap(), "words", {"while", "running"});
    CHECK(read_topic_until(broker.bootstrap(), "shouted-words", 6, 30s).size() == 6);
    CHECK(stop(run, SIGTERM) == 0);
    CHECK(sorted(read_topic(broker.bootstrap(), "shouted-words"))
          == sorted({"HELLO!", "OUT!", "OF!", "TREE!", "WHILE!", "RUNNING!"}));
    // the default consumer group is Sentry Streams' pipeline-<source step>
    CHECK(committed_to_end(group_progress(broker.bootstrap(), "pipeline-words", "words")));
  }
}
