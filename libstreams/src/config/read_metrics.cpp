#include "read_metrics.hpp"

namespace streams::config::detail {

namespace {

using s = key_section;

std::map<std::string, std::string> read_tags(config_reader& r, const yaml_node& n,
                                             const std::string& path) {
  return r.string_map(at(n, path, "tags")).value_or(std::map<std::string, std::string>{});
}

log_metrics read_log(config_reader& r, const yaml_node& n, const std::string& path) {
  log_metrics m;
  if (auto period = r.seconds(at(n, path, "period_sec")))
    m.period = *period;
  m.tags = read_tags(r, n, path);
  return m;
}

datadog_metrics read_datadog(config_reader& r, const yaml_node& n, const std::string& path) {
  datadog_metrics m;
  m.host = r.string(at(n, path, "host")).value_or("");
  m.port = r.port(at(n, path, "port")).value_or(0);
  m.tags = read_tags(r, n, path);
  if (auto q = r.integer(at(n, path, "udp_queue_size"), 0))
    m.udp_queue_size = static_cast<std::size_t>(*q);
  if (auto ms = r.positive_integer(at(n, path, "flush_interval_ms")))
    m.flush_interval = std::chrono::milliseconds(*ms);
  return m;
}

prometheus_metrics read_prometheus(config_reader& r, const yaml_node& n, const std::string& path) {
  prometheus_metrics m;
  if (auto host = r.string(at(n, path, "host")))
    m.host = *host;
  if (auto port = r.port(at(n, path, "port")))
    m.port = *port;
  m.tags = read_tags(r, n, path);
  return m;
}

} // namespace

metrics_config read_metrics(config_reader& r, const yaml_node& n, const std::string& path) {
  if (!r.map(n, path))
    return dummy_metrics{};
  auto type = at(n, path, "type");
  if (!type.node) {
    r.check_keys(n, path, {s::metrics}); // reports the missing type
    return dummy_metrics{};
  }
  // The other keys are checked only against a known type: against none, each would be
  // reported unknown beside the one error that matters.
  auto section = r.one_of<key_section>(type, {{"dummy", s::metrics},
                                              {"log", s::log_metrics},
                                              {"datadog", s::datadog_metrics},
                                              {"prometheus", s::prometheus_metrics}});
  if (!section)
    return dummy_metrics{};
  auto owner = "metrics of type " + type.node->text;
  if (*section == s::metrics)
    r.check_keys(n, path, {s::metrics}, owner);
  else
    r.check_keys(n, path, {s::metrics, *section}, owner);
  switch (*section) {
    case s::log_metrics: return read_log(r, n, path);
    case s::datadog_metrics: return read_datadog(r, n, path);
    case s::prometheus_metrics: return read_prometheus(r, n, path);
    default: return dummy_metrics{};
  }
}

} // namespace streams::config::detail
