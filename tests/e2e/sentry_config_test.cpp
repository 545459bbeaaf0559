// A deployment config as a Sentry Streams user writes it, bound with the deployment library and
// run against the embedded broker: it keeps the meaning Sentry Streams gives it (consumer group
// `pipeline-<source step>`, `auto_offset_reset: latest`, `multi_process` parallelism, the DLQ
// stream the pipeline names).

#include "e2e_support.hpp"

#include "kafka/kafka_test_support.hpp"
#include "streams/config/load_deployment_config.hpp"
#include "streams/deployment/config_binding.hpp"
#include "streams/sources/stream_source.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace streams;
using namespace streams::e2e;

TEST_SUITE("e2e.sentry_config") {
  TEST_CASE("a Sentry Streams config starts at the end, as group pipeline-<step>") {
    kafka::embedded_broker broker(1, {{"events", 1}, {"relayed", 1}, {"events-dead", 1}});
    auto boot = broker.bootstrap_servers();
    // Produced before the pipeline starts: `latest` skips them.
    kafka::test::produce_with_python(boot, "events", 20, "old");

    auto p = std::make_unique<pipeline>("sentry");
    p->source("in", sources::stream("events", "events-dead"))
        .map("same", [](const bytes& b) { return b; })
        .sink("out", sinks::stream("relayed"));
    std::string timing;
    for (auto& [k, v] : group_timing())
      timing += "            " + k + ": \"" + v + "\"\n";
    auto yaml = "env: {}\n"
                "pipeline:\n"
                "  adapter_config:\n"
                "    arroyo: {write_healthcheck: false}\n"
                "  segments:\n"
                "    - steps_config:\n"
                "        in:\n"
                "          starts_segment: True\n"
                "          bootstrap_servers: [\""
                + boot
                + "\"]\n"
                  "          strict_offset_reset: false\n"
                  "          dlq:\n"
                  "            bootstrap_servers: [\""
                + boot + "\"]\n          override_params:\n" + timing
                + "        same:\n"
                  "          parallelism:\n"
                  "            multi_process: {processes: 2, batch_size: 100, batch_time: 0.2}\n"
                  "        out:\n"
                  "          bootstrap_servers: [\""
                + boot + "\"]\nmetrics:\n  type: dummy\n";
    auto loaded = config::parse_deployment_config(yaml, p->graph());
    std::string problems;
    for (auto& e : loaded.errors)
      problems += to_string(e) + "\n";
    for (auto& w : loaded.warnings)
      problems += "warning: " + to_string(w) + "\n";
    INFO(problems);
    REQUIRE(loaded);
    REQUIRE(loaded.warnings.empty());
    CHECK(loaded.config->settings<config::kafka_source_settings>("in")->dlq->topic
          == "events-dead");

    auto options = test_options();
    auto bound = deploy::bind_config(p->graph(), *loaded.config, options);
    running_pipeline run(std::move(p), options);
    // Produce new messages until some come out: the group joins at the end of the topic.
    background_producer producer(boot, "events", 100000, 200, "new");
    REQUIRE(test::eventually([&] { return read_topic(boot, "relayed").size() >= 20; }, 60s));
    producer.stop();
    auto result = run.stop();
    INFO(test::failure_text(result));
    REQUIRE(result.ok);

    std::size_t old = 0;
    for (auto& r : read_topic(boot, "relayed"))
      old += r.value.rfind("old", 0) == 0;
    CHECK(old == 0);
    auto committed = committed_offsets(boot, "events", "pipeline-in");
    REQUIRE(committed.count(0));
    CHECK(committed[0] > 20);
    REQUIRE(result.find("same"));
    CHECK(result.find("same")->instances == 2);
  }
}
