#pragma once

// Internal: the YAML document as a small tree of our own, so that yaml-cpp stays in one
// file (yaml_tree.cpp) and out of every header, and so that envvar substitution can rewrite
// scalars without losing where they were written.

#include "streams/config/config_error.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace streams::config::detail {

struct yaml_entry;

/// A YAML node: null, scalar, list or map, with its place in the file.
struct yaml_node {
  enum class kind { null, scalar, list, map };
  kind type = kind::null;
  /// A scalar's text, as written (without quotes).
  std::string text;
  /// A scalar written in quotes or as a block: always a string, never a number or boolean.
  bool quoted = false;
  /// A scalar naming an unset environment variable: already reported, so reads of it report
  /// nothing more.
  bool unresolved = false;
  std::vector<yaml_node> items;    ///< a list's elements
  std::vector<yaml_entry> entries; ///< a map's entries, in file order, duplicates kept
  int line = 0;                    ///< from 1; 0 when unknown
  int column = 0;
};

/// One key and its value. Keys are scalars (anything else is reported while parsing).
struct yaml_entry {
  std::string key;
  yaml_node value;
  int line = 0;
  int column = 0;
};

/// What a config may grow to once its aliases are expanded, so that a hostile file (aliases that
/// double at each level: "billion laughs") is refused in bounded time and memory. Sentry's
/// configs are a few hundred nodes, 10 levels deep.
struct yaml_limits {
  static constexpr std::size_t file_bytes = 1 << 20;
  static constexpr int depth = 100;
  static constexpr std::size_t nodes = 100'000;
  /// Every scalar and key, once aliases and environment variables are expanded.
  static constexpr std::size_t text_bytes = 16 << 20;
};

/// "1 MiB" for a limit in bytes, as errors say it.
std::string mebibytes(std::size_t bytes);
/// The error for a config past one of `yaml_limits`: `why` says which.
std::string too_large(const std::string& why);

/// Parses a YAML document; on a syntax error, or past `yaml_limits`, returns nothing and adds
/// the error (with the line and column yaml-cpp reports) to `errors`.
std::optional<yaml_node> parse_yaml(std::string_view text, const std::string& file,
                                    std::vector<config_error>& errors);

/// The bytes of every scalar and key under `n`, as `yaml_limits::text_bytes` counts them.
std::size_t text_bytes(const yaml_node& n);

} // namespace streams::config::detail
