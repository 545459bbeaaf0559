#pragma once

#include "streams/graph.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace streams {

/// The forms `streams graph` draws a topology in.
enum class topology_format { text, dot, mermaid };

std::optional<topology_format> parse_topology_format(std::string_view name);

/// The topology in the given form: indented text (graph::to_text), Graphviz dot, or a
/// Mermaid flowchart. Edges out of routers and broadcasts are labelled with the branch.
std::string render(const graph& g, topology_format format);

} // namespace streams
