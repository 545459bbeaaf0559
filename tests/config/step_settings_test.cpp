#include "streams/config/step_settings.hpp"

#include "streams/config/load_deployment_config.hpp"

#include "config/config_test_support.hpp"

#include "streams/sources/stream_source.hpp"

#include <doctest/doctest.h>

using namespace streams;
using namespace streams::config;
using namespace streams::test;

namespace {

/// simple_batching's config with `batch` as the settings of `mybatch`.
load_result with_batch(const std::string& batch) {
  static auto p = example("simple_batching");
  return load_text("pipeline:\n  segments:\n    - steps_config:\n        myinput:\n"
                   "          bootstrap_servers: [a:1]\n        mysink:\n"
                   "          bootstrap_servers: [a:1]\n        mybatch:\n"
                       + batch,
                   p->graph());
}

std::optional<std::chrono::milliseconds> timedelta(const std::string& yaml) {
  auto r = with_batch("          batch_timedelta: " + yaml + "\n");
  INFO(all_errors(r));
  REQUIRE(r);
  return r.config->settings<batch_settings>("mybatch")->batch_timedelta;
}

} // namespace

TEST_SUITE("config.step_settings") {
  TEST_CASE("offset_reset names") {
    CHECK(to_string(offset_reset::earliest) == "earliest");
    CHECK(to_string(offset_reset::latest) == "latest");
    CHECK(to_string(offset_reset::error) == "error");
  }

  TEST_CASE("batch_timedelta: the units of Python's timedelta, added up") {
    using namespace std::chrono;
    CHECK(timedelta("{seconds: 20}") == seconds(20));
    CHECK(timedelta("{minutes: 1, seconds: 5}") == seconds(65));
    CHECK(timedelta("{milliseconds: 250}") == milliseconds(250));
    CHECK(timedelta("{seconds: 1.5}") == milliseconds(1500));
    CHECK(timedelta("{hours: 1, days: 1, weeks: 1}") == hours(1 + 24 + 7 * 24));
    CHECK(timedelta("{microseconds: 2500}") == milliseconds(3)); // rounded
    CHECK(timedelta("{minutes: 1, seconds: -30}") == seconds(30));
  }

  TEST_CASE("a batch step without settings keeps the pipeline's, and `mybatch:` is no settings") {
    auto r = with_batch("          parallelism: 2\n");
    REQUIRE(r);
    auto b = r.config->settings<batch_settings>("mybatch");
    REQUIRE(b);
    CHECK_FALSE(b->batch_size);
    CHECK_FALSE(b->batch_timedelta);
    CHECK(r.config->step("mybatch")->parallelism == 2);

    r = with_batch("");
    INFO(all_errors(r));
    REQUIRE(r);
    CHECK(r.config->settings<batch_settings>("mybatch"));
  }

  TEST_CASE("parallelism defaults to the segment's, else 1") {
    auto p = example("simple_map_filter");
    auto r = load_text("pipeline:\n  segments:\n"
                       "    - parallelism: 3\n      steps_config:\n        myinput:\n"
                       "          bootstrap_servers: [a:1]\n        parser:\n"
                       "          parallelism: 5\n"
                       "    - steps_config:\n        mysink:\n          bootstrap_servers: [a:1]\n",
                       p->graph());
    INFO(all_errors(r));
    REQUIRE(r);
    auto& c = *r.config;
    CHECK(c.segments[0].parallelism == 3u);
    CHECK(c.step("myinput")->parallelism == 3);
    CHECK(c.step("parser")->parallelism == 5);
    CHECK(std::holds_alternative<no_settings>(c.step("parser")->settings));
    CHECK(c.step("mysink")->parallelism == 1);
    CHECK(c.step("mysink")->segment == 1);
  }

  TEST_CASE("a Kafka source's every setting, and the dead-letter queue's defaults") {
    auto p = example("simple_map_filter");
    auto r = load_text(R"(
pipeline:
  segments:
    - steps_config:
        myinput:
          bootstrap_servers: ["k1:9092", "k2:9092"]
          topic: raw-metrics
          consumer_group: metrics-consumers
          auto_offset_reset: error
          connect_timeout_sec: 2.5
          override_params:
            max.poll.interval.ms: 300000
            enable.partition.eof: false
            client.id: "my client"
          dlq:
            bootstrap_servers: ["dlq:9092"]
        mysink:
          bootstrap_servers: ["k1:9092"]
          topic: out
          connect_timeout_sec: 10
          override_params: {acks: all, linger.ms: 0.5}
)",
                       p->graph());
    INFO(all_errors(r));
    REQUIRE(r);
    auto src = r.config->settings<kafka_source_settings>("myinput");
    REQUIRE(src);
    CHECK(src->bootstrap_servers == std::vector<std::string>{"k1:9092", "k2:9092"});
    CHECK(src->topic == "raw-metrics");
    CHECK(src->consumer_group == "metrics-consumers");
    CHECK(src->auto_offset_reset == offset_reset::error);
    CHECK(src->connect_timeout == std::chrono::milliseconds(2500));
    CHECK(src->override_params
          == std::map<std::string, std::string>{{"max.poll.interval.ms", "300000"},
                                                {"enable.partition.eof", "false"},
                                                {"client.id", "my client"}});
    REQUIRE(src->dlq);
    CHECK(src->dlq->topic == "raw-metrics-dlq");
    CHECK(src->dlq->bootstrap_servers == std::vector<std::string>{"dlq:9092"});
    CHECK(src->dlq->override_params.empty());
    auto sink = r.config->settings<kafka_sink_settings>("mysink");
    CHECK(sink->topic == "out");
    CHECK(sink->connect_timeout == std::chrono::seconds(10));
    CHECK(sink->override_params
          == std::map<std::string, std::string>{{"acks", "all"}, {"linger.ms", "0.5"}});
  }

  TEST_CASE("a dead-letter queue with its own topic and properties") {
    auto p = example("simple_map_filter");
    auto r = load_text("pipeline:\n  segments:\n    - steps_config:\n        myinput:\n"
                       "          bootstrap_servers: [a:1]\n"
                       "          dlq:\n            topic: dead\n"
                       "            bootstrap_servers: [d:1]\n"
                       "            override_params: {acks: 1}\n"
                       "        mysink: {bootstrap_servers: [a:1]}\n",
                       p->graph());
    INFO(all_errors(r));
    REQUIRE(r);
    auto dlq = r.config->settings<kafka_source_settings>("myinput")->dlq;
    CHECK(dlq->topic == "dead");
    CHECK(dlq->override_params.at("acks") == "1");
  }

  TEST_CASE("invalid messages: stop by default, dlq with a dlq section, drop on request") {
    auto p = example("simple_map_filter");
    auto with = [&](const std::string& source_extra) {
      return load_text("drain_timeout_sec: 2.5\n"
                       "pipeline:\n  segments:\n    - steps_config:\n        myinput:\n"
                       "          bootstrap_servers: [a:1]\n"
                           + source_extra + "        mysink: {bootstrap_servers: [a:1]}\n",
                       p->graph());
    };
    auto plain = with("");
    REQUIRE(plain);
    CHECK(plain.config->settings<kafka_source_settings>("myinput")->on_invalid == on_invalid::stop);
    CHECK(plain.config->drain_timeout == std::chrono::milliseconds(2500));
    auto dropping = with("          on_invalid: drop\n");
    REQUIRE(dropping);
    CHECK(dropping.config->settings<kafka_source_settings>("myinput")->on_invalid
          == on_invalid::drop);
    auto limited =
        with("          dlq:\n            bootstrap_servers: [d:1]\n"
             "            max_invalid_ratio: 0.1\n            max_consecutive_count: 5\n");
    INFO(all_errors(limited));
    REQUIRE(limited);
    auto src = limited.config->settings<kafka_source_settings>("myinput");
    CHECK(src->on_invalid == on_invalid::dead_letter);
    CHECK(src->dlq->max_invalid_ratio == 0.1);
    CHECK(src->dlq->max_consecutive_count == 5u);

    CHECK(find_error(with("          on_invalid: dlq\n"),
                     "pipeline.segments[0].steps_config.myinput.on_invalid",
                     {"dlq needs the source's dlq section"}));
    CHECK(
        find_error(with("          on_invalid: drop\n          dlq: {bootstrap_servers: [d:1]}\n"),
                   "pipeline.segments[0].steps_config.myinput.on_invalid",
                   {"drop leaves the source's dlq section unused"}));
    CHECK(find_error(with("          on_invalid: skip\n"),
                     "pipeline.segments[0].steps_config.myinput.on_invalid",
                     {"one of stop, drop, dlq"}));
    CHECK(find_error(with("          dlq: {bootstrap_servers: [d:1], max_invalid_ratio: -1}\n"),
                     "pipeline.segments[0].steps_config.myinput.dlq.max_invalid_ratio",
                     {"expected a ratio of at least 0"}));
  }

  TEST_CASE("a Kafka step the pipeline gives no stream name needs a topic") {
    pipeline p("nameless");
    p.source("in", sources::stream("")).sink("out", sinks::stream("named"));
    auto r = load_text("pipeline:\n  segments:\n    - steps_config:\n        in:\n"
                       "          bootstrap_servers: [a:1]\n        out:\n"
                       "          bootstrap_servers: [a:1]\n",
                       p.graph());
    CHECK(find_error(r, "pipeline.segments[0].steps_config.in.topic",
                     {"missing; expected a string, as the pipeline gives the source no stream "
                      "name to default to"}));
  }

  TEST_CASE("devnull sink settings in microseconds") {
    auto p = example("devnull_benchmark");
    auto r = load_text("pipeline:\n  segments:\n    - steps_config:\n"
                       "        benchmark_source: {bootstrap_servers: [a:1]}\n"
                       "        devnull:\n          batch_size: 500\n"
                       "          batch_time_ms: 5000\n          average_sleep_time_ms: 0.5\n"
                       "          max_sleep_time_ms: 6000.0\n",
                       p->graph());
    INFO(all_errors(r));
    REQUIRE(r);
    auto d = r.config->settings<devnull_sink_settings>("devnull");
    REQUIRE(d);
    CHECK(d->batch_size == 500u);
    CHECK(d->batch_time == std::chrono::seconds(5));
    CHECK(d->average_sleep_time == std::chrono::microseconds(500));
    CHECK(d->max_sleep_time == std::chrono::seconds(6));
  }

  TEST_CASE("env is kept as data, and sentry_sdk_config is noted as ignored") {
    auto p = example("simple_map_filter");
    auto r = load_text("env:\n  region: eu\n  limits: {cpu: 2, zones: [a, b]}\n  empty:\n"
                       "sentry_sdk_config: {dsn: \"https://x@sentry.io/1\"}\n"
                       "pipeline:\n  adapter_config:\n    arroyo:\n"
                       "      sentry_sdk_config: {dsn: y}\n"
                       "  segments:\n    - steps_config:\n"
                       "        myinput: {bootstrap_servers: [a:1]}\n"
                       "        mysink: {bootstrap_servers: [a:1]}\n",
                       p->graph());
    INFO(all_errors(r));
    REQUIRE(r);
    CHECK(r.config->env
          == std::map<std::string, std::string>{{"region", "eu"},
                                                {"limits.cpu", "2"},
                                                {"limits.zones[0]", "a"},
                                                {"limits.zones[1]", "b"},
                                                {"empty", ""}});
    CHECK_FALSE(r.config->write_healthcheck);
    REQUIRE(r.notes.size() == 1); // once, though given twice
    CHECK(r.notes[0].find("sentry_sdk_config is accepted and ignored") == 0);
  }
  TEST_CASE(
      "state_dir: where stateful steps keep their state, from the config or the environment") {
    auto p = example("simple_map_filter");
    const std::string steps = "pipeline:\n  segments:\n    - steps_config:\n"
                              "        myinput: {bootstrap_servers: [a:1]}\n"
                              "        mysink: {bootstrap_servers: [a:1]}\n";
    auto unset = load_text(steps, p->graph());
    INFO(all_errors(unset));
    REQUIRE(unset);
    CHECK_FALSE(unset.config->state_dir); // the runtime's default, streams-state, applies

    auto given = load_text("state_dir: /var/lib/streams\n" + steps, p->graph());
    REQUIRE(given);
    CHECK(given.config->state_dir == "/var/lib/streams");

    auto memory = load_text("state_dir: \":memory:\"\n" + steps, p->graph());
    REQUIRE(memory);
    CHECK(memory.config->state_dir == ":memory:");

    auto from_env = load_text("state_dir: ${envvar:STATE_DIR}\n" + steps, p->graph(),
                              {{"STATE_DIR", "relative/state"}});
    INFO(all_errors(from_env));
    REQUIRE(from_env);
    CHECK(from_env.config->state_dir == "relative/state");
  }
  TEST_CASE("state_changelog: the topic that replicates the state, with its defaults") {
    auto p = example("simple_map_filter");
    const std::string steps = "pipeline:\n  segments:\n    - steps_config:\n"
                              "        myinput: {bootstrap_servers: [a:1]}\n"
                              "        mysink: {bootstrap_servers: [a:1]}\n";
    auto unset = load_text(steps, p->graph());
    REQUIRE(unset);
    CHECK_FALSE(unset.config->state_changelog);

    auto given = load_text("state_changelog:\n  bootstrap_servers: [k:9092]\n  topic: t\n"
                           "  timeout_sec: 2.5\n  override_params: {security.protocol: ssl}\n"
                               + steps,
                           p->graph());
    INFO(all_errors(given));
    REQUIRE(given);
    auto& c = *given.config->state_changelog;
    CHECK(c.bootstrap_servers == std::vector<std::string>{"k:9092"});
    CHECK(c.topic == "t");
    CHECK(c.timeout == std::chrono::milliseconds(2500));
    CHECK(c.override_params.at("security.protocol") == "ssl");

    auto defaults =
        load_text("state_changelog: {bootstrap_servers: [k:9092]}\n" + steps, p->graph());
    REQUIRE(defaults);
    CHECK_FALSE(defaults.config->state_changelog->topic); // <pipeline name>-state-changelog
    CHECK(defaults.config->state_changelog->timeout == std::chrono::seconds(30));

    auto without = load_text("state_changelog: {topic: t}\n" + steps, p->graph());
    CHECK_FALSE(without);
    CHECK(all_errors(without).find("state_changelog.bootstrap_servers") != std::string::npos);
    auto unknown =
        load_text("state_changelog: {bootstrap_servers: [k:1], topc: t}\n" + steps, p->graph());
    REQUIRE(unknown.warnings.size() == 1); // an error under --strict, as every unknown key
    CHECK(unknown.warnings[0].path == "state_changelog.topc");
  }
}
