// The deployment library as an application embedding the runtime uses it: a config loaded
// against its pipeline, then bound to it (config_binding.hpp, deployment.hpp).

#include "streams/deployment/config_binding.hpp"
#include "streams/deployment/deployment.hpp"

#include "streams/config/load_deployment_config.hpp"
#include "streams/kafka/kafka_sink.hpp"
#include "streams/kafka/kafka_source.hpp"
#include "streams/sources/stream_source.hpp"
#include "support/child_process.hpp"

#include <doctest/doctest.h>

#include <fstream>

using namespace streams;

namespace {

/// A relay from stream `in` to stream `out`, as Sentry Streams' `streaming_source` builds it.
std::unique_ptr<pipeline> relay(std::string dlq_stream_name = {}) {
  auto p = std::make_unique<pipeline>("relay");
  p->source("in", sources::stream("events", std::move(dlq_stream_name)))
      .map("same", [](const bytes& b) { return b; })
      .sink("out", sinks::stream("relayed"));
  return p;
}

config::deployment_config load(const std::string& yaml, const graph& g) {
  auto r = config::parse_deployment_config(
      yaml, g, [](const std::string&) { return std::optional<std::string>(); });
  std::string errors;
  for (auto& e : r.errors)
    errors += to_string(e) + "\n";
  for (auto& w : r.warnings)
    errors += "warning: " + to_string(w) + "\n";
  INFO(errors);
  REQUIRE(r);
  REQUIRE(r.warnings.empty());
  return *r.config;
}

const std::string relay_config = "pipeline:\n"
                                 "  segments:\n"
                                 "    - steps_config:\n"
                                 "        in:\n"
                                 "          bootstrap_servers: [\"127.0.0.1:1\"]\n"
                                 "        out:\n"
                                 "          bootstrap_servers: [\"127.0.0.1:1\"]\n";

const step_node& step(const graph& g, const std::string& name) { return g.step(*g.find(name)); }

} // namespace

TEST_SUITE("deployment.binding") {
  TEST_CASE("a Kafka source and sink made in code are Kafka steps to the config") {
    kafka::source_config in;
    in.bootstrap_servers = "127.0.0.1:1";
    in.topic = "events";
    in.consumer_group = kafka::default_group("in");
    kafka::sink_config out;
    out.bootstrap_servers = "127.0.0.1:1";
    out.topic = "relayed";
    pipeline p("coded");
    p.source("in", sources::kafka(in)).sink("out", sinks::kafka(out));
    CHECK(step(p.graph(), "in").connector == "kafka");
    CHECK(step(p.graph(), "out").connector == "kafka");
    // So a config for them is checked against the keys of Kafka steps, and read as such.
    auto cfg = load(relay_config + "          topic: relayed-2\n", p.graph());
    CHECK(cfg.settings<config::kafka_source_settings>("in"));
    REQUIRE(cfg.settings<config::kafka_sink_settings>("out"));
    CHECK(cfg.settings<config::kafka_sink_settings>("out")->topic == "relayed-2");
  }

  TEST_CASE("an unconfigured group and offset reset are Sentry Streams' defaults") {
    auto p = relay();
    auto cfg = load(relay_config, p->graph());
    runtime_options options;
    auto bound = deploy::bind_config(p->graph(), cfg, options);
    CHECK(step(p->graph(), "in").detail == "Kafka topic events as group pipeline-in");
    CHECK(step(p->graph(), "out").detail == "Kafka topic relayed");
    // `latest` is checked against the embedded broker in the e2e tests (sentry_config_test).
  }

  TEST_CASE("multi_process parallelism runs its processes as instances") {
    auto p = relay();
    auto cfg = load(relay_config
                        + "        same:\n"
                          "          parallelism:\n"
                          "            multi_process: {processes: 3, batch_size: 100, "
                          "batch_time: 0.5}\n",
                    p->graph());
    auto* same = cfg.step("same");
    REQUIRE(same);
    REQUIRE(same->multi_process);
    CHECK(same->multi_process->batch_size == 100u);
    CHECK(same->multi_process->batch_time == std::chrono::milliseconds(500));
    runtime_options options;
    auto bound = deploy::bind_config(p->graph(), cfg, options);
    CHECK(step(p->graph(), "same").parallelism == 3);
    CHECK(step(p->graph(), "same").max_batch_in == 100);
    REQUIRE(bound.notes.size() == 1);
    CHECK(bound.notes[0].find("step 'same': multi_process runs 3 instance(s)") == 0);
  }

  TEST_CASE("a DLQ's topic defaults to the DLQ stream name the pipeline gives the source") {
    std::string dlq = "pipeline:\n  segments:\n    - steps_config:\n        in:\n"
                      "          bootstrap_servers: [\"127.0.0.1:1\"]\n"
                      "          dlq: {bootstrap_servers: [\"127.0.0.1:1\"]}\n"
                      "        out:\n          bootstrap_servers: [\"127.0.0.1:1\"]\n";
    auto named = relay("events-dead");
    CHECK(load(dlq, named->graph()).settings<config::kafka_source_settings>("in")->dlq->topic
          == "events-dead");
    auto unnamed = relay();
    CHECK(load(dlq, unnamed->graph()).settings<config::kafka_source_settings>("in")->dlq->topic
          == "events-dlq");
  }

  TEST_CASE("an unknown key is logged, and refused as a typed user error under strict") {
    test::temp_directory dir;
    auto path = dir.file("config.yaml");
    std::ofstream(path) << relay_config << "          topik: x\n";
    auto d = deploy::load_deployment(relay(), path);
    CHECK(d.config);
    try {
      deploy::load_deployment(relay(), path, true);
      FAIL("strict accepted an unknown key");
    } catch (const deploy::config_errors& e) {
      REQUIRE(e.lines().size() == 1);
      CHECK(e.lines()[0].find("pipeline.segments[0].steps_config.out.topik: unknown key") == 0);
      CHECK(e.lines()[0].find("(did you mean topic?)") != std::string::npos);
      CHECK(e.code() == "deploy.invalid_config");
      CHECK(e.category() == error_category::user);
      CHECK_FALSE(e.retryable());
    }
  }
}
