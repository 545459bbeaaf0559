#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace streams::config {

/// `metrics: {type: dummy}`, and no `metrics` at all: metrics are not reported.
struct dummy_metrics {};

/// `type: log`: every `period` the metrics are written to the log.
struct log_metrics {
  std::chrono::milliseconds period{10000}; ///< `period_sec`
  std::map<std::string, std::string> tags; ///< added to every metric
};

/// `type: datadog`: DogStatsD over UDP.
struct datadog_metrics {
  std::string host;                        ///< required
  std::uint16_t port = 0;                  ///< required
  std::map<std::string, std::string> tags; ///< added to every metric
  std::optional<std::size_t> udp_queue_size;
  std::optional<std::chrono::milliseconds> flush_interval; ///< `flush_interval_ms`
};

/// `type: prometheus`: an HTTP endpoint serving /metrics for Prometheus to scrape.
struct prometheus_metrics {
  std::string host = "127.0.0.1";
  /// 9464, not Prometheus' own 9090, so that a Prometheus server on the same host scraping
  /// us does not collide with us.
  std::uint16_t port = 9464;
  std::map<std::string, std::string> tags; ///< labels added to every metric
};

/// Where metrics go: one of the four `type`s.
using metrics_config =
    std::variant<dummy_metrics, log_metrics, datadog_metrics, prometheus_metrics>;

/// The `type` of the config: "dummy", "log", "datadog" or "prometheus".
std::string_view metrics_type_name(const metrics_config& m);

} // namespace streams::config
