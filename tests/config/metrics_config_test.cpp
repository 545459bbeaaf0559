#include "streams/config/metrics_config.hpp"

#include "streams/config/load_deployment_config.hpp"

#include "config/config_test_support.hpp"

#include <doctest/doctest.h>

using namespace streams;
using namespace streams::config;
using namespace streams::test;

namespace {

metrics_config metrics(const std::string& yaml) {
  static auto p = example("simple_map_filter");
  auto r = load_text("pipeline:\n  segments:\n    - steps_config:\n"
                     "        myinput: {bootstrap_servers: [a:1]}\n"
                     "        mysink: {bootstrap_servers: [a:1]}\n"
                         + yaml,
                     p->graph());
  INFO(all_errors(r));
  REQUIRE(r);
  return r.config->metrics;
}

} // namespace

TEST_SUITE("config.metrics_config") {
  TEST_CASE("no metrics section means dummy") {
    CHECK(std::holds_alternative<dummy_metrics>(metrics("")));
    CHECK(std::holds_alternative<dummy_metrics>(metrics("metrics: {type: dummy}\n")));
  }

  TEST_CASE("log: period and tags, with defaults") {
    auto m = std::get<log_metrics>(metrics("metrics:\n  type: log\n  period_sec: 0.5\n"
                                           "  tags: {pipeline: errors, shard: 3}\n"));
    CHECK(m.period == std::chrono::milliseconds(500));
    CHECK(m.tags == std::map<std::string, std::string>{{"pipeline", "errors"}, {"shard", "3"}});
    auto d = std::get<log_metrics>(metrics("metrics: {type: log}\n"));
    CHECK(d.period == std::chrono::seconds(10));
    CHECK(d.tags.empty());
  }

  TEST_CASE("datadog: host, port and the client's tuning") {
    auto m = std::get<datadog_metrics>(
        metrics("metrics:\n  type: datadog\n  host: dd-agent\n  port: 8125\n"
                "  tags: {env: prod}\n  udp_queue_size: 0\n  flush_interval_ms: 250\n"));
    CHECK(m.host == "dd-agent");
    CHECK(m.port == 8125);
    CHECK(m.tags.at("env") == "prod");
    CHECK(m.udp_queue_size == 0u);
    CHECK(m.flush_interval == std::chrono::milliseconds(250));
    CHECK(metrics_type_name(m) == "datadog");
  }

  TEST_CASE("prometheus: an endpoint, 127.0.0.1:9464 unless told") {
    auto m = std::get<prometheus_metrics>(
        metrics("metrics:\n  type: prometheus\n  host: 0.0.0.0\n  port: 9100\n"));
    CHECK(m.host == "0.0.0.0");
    CHECK(m.port == 9100);
    auto d = std::get<prometheus_metrics>(metrics("metrics: {type: prometheus}\n"));
    CHECK(d.host == "127.0.0.1");
    CHECK(d.port == 9464);
    CHECK(metrics_type_name(d) == "prometheus");
  }
}
