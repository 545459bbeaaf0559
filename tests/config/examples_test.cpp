#include "streams/config/load_deployment_config.hpp"

#include "config/config_test_support.hpp"
#include "examples/examples.hpp"

#include <doctest/doctest.h>

using namespace streams;
using namespace streams::config;
using namespace streams::test;

namespace {

load_result load_fixture(const std::string& name, const pipeline& p) {
  auto r = load_deployment_config(fixture(name), p.graph(), fake_env());
  INFO(all_errors(r));
  REQUIRE(r);
  return r;
}

} // namespace

TEST_SUITE("config.examples") {
  TEST_CASE("simple_map_filter: topics default to the stream names") {
    auto p = example("simple_map_filter");
    auto r = load_fixture("simple_map_filter.yaml", *p);
    auto& c = *r.config;
    CHECK(c.write_healthcheck);
    REQUIRE(c.segments.size() == 1);
    CHECK(c.segments[0].steps.size() == 2);

    auto src = c.settings<kafka_source_settings>("myinput");
    REQUIRE(src);
    CHECK(src->bootstrap_servers == std::vector<std::string>{"127.0.0.1:9092"});
    CHECK(src->topic == "ingest-metrics");
    CHECK_FALSE(src->consumer_group);
    CHECK_FALSE(src->auto_offset_reset);
    CHECK_FALSE(src->dlq);
    CHECK(c.step("myinput")->starts_segment);
    CHECK(c.step("myinput")->parallelism == 1);

    auto sink = c.settings<kafka_sink_settings>("mysink");
    REQUIRE(sink);
    CHECK(sink->topic == "transformed-events");
    CHECK(sink->bootstrap_servers == std::vector<std::string>{"127.0.0.1:9092"});

    // unconfigured steps run as the pipeline built them
    CHECK(c.step("parser") == nullptr);
    CHECK(std::holds_alternative<dummy_metrics>(c.metrics));
    CHECK(r.notes.empty());
  }

  TEST_CASE("blq: four Kafka steps and log metrics") {
    auto p = example("blq");
    auto r = load_fixture("blq.yaml", *p);
    auto& c = *r.config;
    CHECK(c.settings<kafka_source_settings>("ingest")->topic == "ingest-metrics");
    CHECK(c.settings<kafka_sink_settings>("kafkasink")->topic == "transformed-events");
    CHECK(c.settings<kafka_sink_settings>("kafkasink2")->topic == "transformed-events-2");
    CHECK(c.settings<kafka_sink_settings>("kafkasink3")->topic == "transformed-events-3");
    CHECK(c.settings<kafka_sink_settings>("kafkasink3")->bootstrap_servers
          == std::vector<std::string>{"localhost:9092"});
    auto log = std::get_if<log_metrics>(&c.metrics);
    REQUIRE(log);
    CHECK(log->period == std::chrono::seconds(5));
    CHECK(log->tags == std::map<std::string, std::string>{{"pipeline", "blq"}});
  }

  TEST_CASE("broadcast: consumer group, offset reset and producer properties") {
    auto p = example("broadcast");
    auto r = load_fixture("broadcast.yaml", *p);
    auto& c = *r.config;
    auto src = c.settings<kafka_source_settings>("myinput");
    REQUIRE(src);
    CHECK(src->topic == "events");
    CHECK(src->consumer_group == "broadcast-example");
    CHECK(src->auto_offset_reset == offset_reset::earliest);
    CHECK(c.settings<kafka_sink_settings>("hello_sink")->topic == "transformed-events");
    auto goodbye = c.settings<kafka_sink_settings>("goodbye_sink");
    CHECK(goodbye->topic == "transformed-events-2");
    // a YAML number becomes the text librdkafka expects
    CHECK(goodbye->override_params == std::map<std::string, std::string>{{"linger.ms", "5"}});
    CHECK(metrics_type_name(c.metrics) == "dummy");
  }

  TEST_CASE("simple_batching: the batch step's overrides") {
    auto p = example("simple_batching");
    auto r = load_fixture("simple_batching.yaml", *p);
    auto batch = r.config->settings<batch_settings>("mybatch");
    REQUIRE(batch);
    CHECK(batch->batch_size == 2u);
    CHECK(batch->batch_timedelta == std::chrono::seconds(20));
    // the Kafka settings of a batch step are not Kafka settings
    CHECK(r.config->settings<kafka_source_settings>("mybatch") == nullptr);
  }

  TEST_CASE("devnull_benchmark: the DevNull sink's sleeps and prometheus defaults") {
    auto p = example("devnull_benchmark");
    auto r = load_fixture("devnull_benchmark.yaml", *p);
    auto& c = *r.config;
    CHECK(c.settings<kafka_source_settings>("benchmark_source")->auto_offset_reset
          == offset_reset::latest);
    auto devnull = c.settings<devnull_sink_settings>("devnull");
    REQUIRE(devnull);
    CHECK_FALSE(devnull->batch_size);
    CHECK_FALSE(devnull->batch_time);
    CHECK(devnull->average_sleep_time == std::chrono::milliseconds(5000));
    CHECK(devnull->max_sleep_time == std::chrono::milliseconds(6000));
    auto prom = std::get_if<prometheus_metrics>(&c.metrics);
    REQUIRE(prom);
    CHECK(prom->host == "127.0.0.1");
    CHECK(prom->port == 9464);
  }

  TEST_CASE("transformer: Sentry's config, a state directory, two instances of the window") {
    auto p = example("transformer");
    auto r = load_fixture("transformer.yaml", *p);
    auto& c = *r.config;
    CHECK(c.state_dir == "/var/lib/streams");
    auto src = c.settings<kafka_source_settings>("myinput");
    REQUIRE(src);
    CHECK(src->topic == "ingest-metrics");
    CHECK(src->bootstrap_servers == std::vector<std::string>{"localhost:9092"});
    CHECK(c.settings<kafka_sink_settings>("kafkasink2")->topic == "transformed-events");
    // a reduce step takes every step's settings and no others
    REQUIRE(c.step("custom_batcher"));
    CHECK(c.step("custom_batcher")->parallelism == 2);
    CHECK(std::holds_alternative<no_settings>(c.step("custom_batcher")->settings));
  }

  TEST_CASE("the windowed examples: Sentry's streams, and a reduce step is no batch step") {
    struct expected {
      std::string app, source, sink, reduce;
    };
    for (auto& e : std::vector<expected>{{"word_counter", "myinput", "kafkasink", "myreduce"},
                                         {"alerts", "myinput", "kafkasink", "myreduce"},
                                         {"billing", "myinput", "mysink", "myreduce"},
                                         {"spans_buffer", "myinput", "kafkasink", "myreduce"}}) {
      CAPTURE(e.app);
      auto p = example(e.app);
      auto yaml = "pipeline:\n  segments:\n    - steps_config:\n        " + e.source
                  + ": {bootstrap_servers: [a:1]}\n        " + e.sink
                  + ": {bootstrap_servers: [a:1]}\n";
      auto r = load_text(yaml, p->graph());
      INFO(all_errors(r));
      REQUIRE(r);
      CHECK(r.config->settings<kafka_source_settings>(e.source)->topic == "events");
      CHECK(r.config->settings<kafka_sink_settings>(e.sink)->topic == "transformed-events");

      auto batch = load_text(yaml + "        " + e.reduce + ": {batch_size: 3}\n", p->graph());
      CHECK(find_warning(batch, "pipeline.segments[0].steps_config." + e.reduce + ".batch_size",
                         {"unknown key", "parallelism, starts_segment"}));
    }
  }

  TEST_CASE("every example app has a config in apps/examples/configs, and it loads") {
    for (auto& e : streams::examples::all()) {
      CAPTURE(e.name);
      auto p = example(e.name);
      auto path = fixture("../../apps/examples/configs/" + e.name + ".yaml");
      auto r = load_deployment_config(path, p->graph(),
                                      fake_env({{"STREAMS_BOOTSTRAP_SERVERS", "127.0.0.1:9092"}}));
      INFO(all_errors(r));
      REQUIRE(r);
      // every Kafka step is bound to the brokers from the environment
      for (auto& step : p->graph().steps()) {
        if (auto src = r.config->settings<kafka_source_settings>(step.name))
          CHECK(src->bootstrap_servers == std::vector<std::string>{"127.0.0.1:9092"});
        if (auto sink = r.config->settings<kafka_sink_settings>(step.name))
          CHECK(sink->bootstrap_servers == std::vector<std::string>{"127.0.0.1:9092"});
      }
    }
  }
}
