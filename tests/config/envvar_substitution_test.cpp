#include "streams/config/load_deployment_config.hpp"

#include "config/config_test_support.hpp"

#include <doctest/doctest.h>

#include <cstdlib>

using namespace streams;
using namespace streams::config;
using namespace streams::test;

namespace {

std::string with_source(const std::string& source_settings) {
  return "pipeline:\n"
         "  segments:\n"
         "    - steps_config:\n"
         "        myinput:\n"
         + source_settings
         + "        mysink:\n"
           "          bootstrap_servers: [\"b:9092\"]\n";
}

const std::string source_path = "pipeline.segments[0].steps_config.myinput";

} // namespace

TEST_SUITE("config.envvar_substitution") {
  TEST_CASE("a string that is entirely ${envvar:NAME} becomes the variable's value") {
    auto p = example("simple_map_filter");
    auto r = load_text(with_source("          bootstrap_servers: [\"${envvar:BROKERS}\"]\n"
                                   "          topic: ${envvar:_TOPIC_2}\n"),
                       p->graph(), {{"BROKERS", "k1:9092"}, {"_TOPIC_2", "metrics"}});
    INFO(all_errors(r));
    REQUIRE(r);
    auto src = r.config->settings<kafka_source_settings>("myinput");
    CHECK(src->bootstrap_servers == std::vector<std::string>{"k1:9092"});
    CHECK(src->topic == "metrics");
  }

  TEST_CASE("a substituted value counts as unquoted, so it can be a number") {
    auto p = example("simple_map_filter");
    auto r = load_text(with_source("          bootstrap_servers: [a:1]\n"
                                   "          parallelism: \"${envvar:PARALLELISM}\"\n"),
                       p->graph(), {{"PARALLELISM", "4"}});
    INFO(all_errors(r));
    REQUIRE(r);
    CHECK(r.config->step("myinput")->parallelism == 4);
  }

  TEST_CASE("partial matches stay literal") {
    auto p = example("simple_map_filter");
    auto r = load_text(with_source("          bootstrap_servers: [a:1]\n"
                                   "          topic: prefix-${envvar:TOPIC}\n"
                                   "          consumer_group: \"${envvar:TOPIC}-suffix\"\n"
                                   "          override_params:\n"
                                   "            a: ${envvar:1BAD}\n"
                                   "            b: ${envvar:}\n"
                                   "            c: ${ENVVAR:TOPIC}\n"
                                   "            d: $envvar:TOPIC\n"
                                   "            e: ${envvar:TO PIC}\n"),
                       p->graph(), {{"TOPIC", "t"}, {"1BAD", "x"}});
    INFO(all_errors(r));
    REQUIRE(r);
    auto src = r.config->settings<kafka_source_settings>("myinput");
    CHECK(src->topic == "prefix-${envvar:TOPIC}");
    CHECK(src->consumer_group == "${envvar:TOPIC}-suffix");
    CHECK(src->override_params.at("a") == "${envvar:1BAD}");
    CHECK(src->override_params.at("b") == "${envvar:}");
    CHECK(src->override_params.at("c") == "${ENVVAR:TOPIC}");
    CHECK(src->override_params.at("d") == "$envvar:TOPIC");
    CHECK(src->override_params.at("e") == "${envvar:TO PIC}");
  }

  TEST_CASE("an unset variable is an error naming it and the key, and every one is reported") {
    auto p = example("simple_map_filter");
    auto r = load_text(with_source("          bootstrap_servers: [\"${envvar:NO_BROKERS}\"]\n"
                                   "          override_params:\n"
                                   "            max.poll.interval.ms: ${envvar:NO_POLL}\n"),
                       p->graph(), {});
    CHECK_FALSE(r);
    CHECK_FALSE(r.config);
    INFO(all_errors(r));
    auto e = find_error(r, source_path + ".bootstrap_servers[0]",
                        {"environment variable NO_BROKERS is not set", "line 5"});
    CHECK(e);
    CHECK(find_error(r, source_path + ".override_params[\"max.poll.interval.ms\"]",
                     {"environment variable NO_POLL is not set", "line 7"}));
    // and nothing more about those values: the placeholder is no broker name to complain of
    CHECK(r.errors.size() == 2);
  }

  TEST_CASE("an empty variable is set: it substitutes, and the key's own check applies") {
    auto p = example("simple_map_filter");
    auto r = load_text(with_source("          bootstrap_servers: [a:1]\n"
                                   "          topic: ${envvar:EMPTY}\n"),
                       p->graph(), {{"EMPTY", ""}});
    CHECK(find_error(r, source_path + ".topic", {"expected a non-empty string"}));
    CHECK_FALSE(find_error(r, source_path + ".topic", {"not set"}));
  }

  TEST_CASE("the process environment is read by default") {
    ::setenv("STREAMS_CONFIG_TEST_BROKERS", "env-broker:9092", 1);
    ::setenv("STREAMS_CONFIG_TEST_MAX_POLL_INTERVAL_MS", "300000", 1);
    auto p = example("simple_map_filter");
    auto r = load_deployment_config(fixture("envvars.yaml"), p->graph());
    ::unsetenv("STREAMS_CONFIG_TEST_BROKERS");
    ::unsetenv("STREAMS_CONFIG_TEST_MAX_POLL_INTERVAL_MS");
    INFO(all_errors(r));
    REQUIRE(r);
    auto src = r.config->settings<kafka_source_settings>("myinput");
    CHECK(src->bootstrap_servers == std::vector<std::string>{"env-broker:9092"});
    CHECK(src->override_params.at("max.poll.interval.ms") == "300000");
    CHECK(r.config->settings<kafka_sink_settings>("mysink")->bootstrap_servers
          == std::vector<std::string>{"env-broker:9092"});

    auto unset = load_deployment_config(fixture("envvars.yaml"), p->graph());
    CHECK(find_error(unset, source_path + ".bootstrap_servers[0]",
                     {"STREAMS_CONFIG_TEST_BROKERS is not set", "envvars.yaml, line 10"}));
  }
}
