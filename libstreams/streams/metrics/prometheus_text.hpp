#pragma once

#include "streams/metrics/metrics_registry.hpp"

#include <map>
#include <string>
#include <vector>

namespace streams::metrics {

/// The samples in Prometheus' text exposition format (what /metrics serves): names with `_`
/// for `.`, tags as labels, `tags` added to every sample; histograms with cumulative
/// `_bucket{le=...}`, `_sum` and `_count`. Serialized by prometheus-cpp.
std::string prometheus_text(const std::vector<sample>& samples,
                            const std::map<std::string, std::string>& tags = {});

} // namespace streams::metrics
