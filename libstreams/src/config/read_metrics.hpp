#pragma once

// Internal: the `metrics` section.

#include "streams/config/metrics_config.hpp"

#include "config_reader.hpp"

#include <string>

namespace streams::config::detail {

/// Reads `metrics` (the map `n` at `path`): its `type` decides which other keys it takes.
metrics_config read_metrics(config_reader& r, const yaml_node& n, const std::string& path);

} // namespace streams::config::detail
