#include "operations.hpp"

#include "streams/metrics/dogstatsd_client.hpp"
#include "streams/metrics/periodic_reporter.hpp"
#include "streams/metrics/prometheus_text.hpp"
#include "streams/net/http_listener.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>
#include <vector>

namespace streams::cli {

namespace {

/// Sentry Streams' flush period of its metrics backends.
constexpr std::chrono::milliseconds default_flush_interval{10000};

net::http_response health_response(const metrics::health_check& h) {
  return {h.ok ? 200 : 503, "application/json", h.json() + "\n"};
}

} // namespace

struct operations::impl {
  std::vector<std::unique_ptr<net::http_listener>> listeners;
  std::unique_ptr<metrics::dogstatsd_client> dogstatsd;
  std::unique_ptr<metrics::periodic_reporter> reporter;

  void listen(const runtime& r, const std::string& host, std::uint16_t port,
              std::map<std::string, std::string> tags) {
    std::map<std::string, net::http_listener::route> routes{
        {"/metrics",
         [&r, tags] {
           return net::http_response{200, "text/plain; version=0.0.4; charset=utf-8",
                                     metrics::prometheus_text(r.metrics().collect(), tags)};
         }},
        {"/health", [&r] { return health_response(r.liveness()); }},
        {"/ready", [&r] { return health_response(r.readiness()); }},
    };
    auto& l = *listeners.emplace_back(
        std::make_unique<net::http_listener>(host, port, std::move(routes)));
    spdlog::info("serving /metrics, /health and /ready on http://{}:{}", host, l.port());
  }
};

operations::operations(const runtime& r, const config::metrics_config& metrics,
                       const std::optional<std::string>& http)
    : impl_(std::make_unique<impl>()) {
  auto& d = *impl_;
  if (auto* p = std::get_if<config::prometheus_metrics>(&metrics))
    d.listen(r, p->host, p->port, p->tags);
  if (http) {
    auto [host, port] = parse_address(*http);
    d.listen(r, host, port, {});
  }
  if (auto* dd = std::get_if<config::datadog_metrics>(&metrics)) {
    d.dogstatsd = std::make_unique<metrics::dogstatsd_client>(dd->host, dd->port, dd->tags);
    spdlog::info("sending metrics to the DogStatsD agent at {}:{}", dd->host, dd->port);
    d.reporter = std::make_unique<metrics::periodic_reporter>(
        r.metrics(), dd->flush_interval.value_or(default_flush_interval),
        [client = d.dogstatsd.get()](const std::vector<metrics::sample>& s) { client->send(s); });
  } else if (auto* l = std::get_if<config::log_metrics>(&metrics)) {
    d.reporter = std::make_unique<metrics::periodic_reporter>(
        r.metrics(), l->period, [tags = l->tags](const std::vector<metrics::sample>& s) {
          for (auto& line : metrics::log_lines(s, tags))
            spdlog::info("{}", line);
        });
  }
}

operations::~operations() {
  impl_->reporter.reset(); // the last report, before the client it uses goes
}

std::pair<std::string, std::uint16_t> parse_address(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size())
    throw std::invalid_argument("expected HOST:PORT, found '" + address + "'");
  auto digits = address.substr(colon + 1);
  if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 5
      || std::stoul(digits) > 65535)
    throw std::invalid_argument("'" + digits + "' in '" + address
                                + "' is not a port number (0 to 65535)");
  return {address.substr(0, colon), static_cast<std::uint16_t>(std::stoul(digits))};
}

std::string address_problem(const std::string& address) {
  try {
    parse_address(address);
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

} // namespace streams::cli
