#pragma once

// Internal: the settings of one step, typed by what the step is in the pipeline graph.

#include "streams/config/config_keys.hpp"
#include "streams/config/deployment_config.hpp"
#include "streams/graph.hpp"

#include "config_reader.hpp"

#include <cstddef>
#include <string>

namespace streams::config::detail {

/// What a step of the graph is, for the config: which keys it takes beside every step's
/// (`any_step` for none), and how messages name it ("a Kafka source", "a map step").
struct step_role {
  key_section section = key_section::any_step;
  std::string description;
};

/// A source or sink whose connector is "kafka" is a Kafka source or sink, a sink whose
/// connector is "devnull" a devnull sink; batch steps are batch steps whatever their
/// connector; everything else takes only the keys every step takes.
step_role role_of(const step_node& step);

/// Reads the settings `n` (a map, or null for none) of `step`, at `path`, applying defaults.
/// `parallelism` is the segment's default.
step_config read_step(config_reader& r, const yaml_node& n, const std::string& path,
                      const step_node& step, std::size_t segment, std::size_t parallelism);

} // namespace streams::config::detail
