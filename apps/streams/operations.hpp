#pragma once

#include "streams/actors/runtime.hpp"
#include "streams/config/metrics_config.hpp"

#include <memory>
#include <optional>
#include <string>

namespace streams::cli {

/// What a running pipeline shows its operators (docs/operations.md): an HTTP listener serving
/// /metrics, /health and /ready at the `prometheus` metrics config's address, and at `http`
/// (`streams run --http HOST:PORT`) when given; and for the `datadog` and `log` metrics
/// configs, a reporter that sends the metrics every period (and once more at the end).
///
/// Made once the runtime has started; destroy it before the runtime (the final report reads
/// the runtime's metrics).
class operations {
public:
  /// Throws `std::runtime_error` when a listener cannot bind or the DogStatsD agent's host
  /// does not resolve.
  operations(const runtime& r, const config::metrics_config& metrics,
             const std::optional<std::string>& http);
  ~operations();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// "HOST:PORT" as given to `--http`; throws `std::invalid_argument` naming what is wrong.
std::pair<std::string, std::uint16_t> parse_address(const std::string& address);
/// What is wrong with `address` as "HOST:PORT", or "" (for the CLI's validators).
std::string address_problem(const std::string& address);

} // namespace streams::cli
