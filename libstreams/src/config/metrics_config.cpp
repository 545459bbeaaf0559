#include "streams/config/metrics_config.hpp"

namespace streams::config {

std::string_view metrics_type_name(const metrics_config& m) {
  static constexpr std::string_view names[] = {"dummy", "log", "datadog", "prometheus"};
  static_assert(std::size(names) == std::variant_size_v<metrics_config>);
  return names[m.index()];
}

} // namespace streams::config
