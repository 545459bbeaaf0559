#pragma once

// Internal: typed reading of a YAML tree, collecting one `config_error` per problem instead
// of throwing, so that a load reports everything wrong with a file at once.

#include "streams/config/config_error.hpp"
#include "streams/config/config_keys.hpp"

#include "yaml_tree.hpp"

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace streams::config::detail {

/// What a node is, for "found ..." in messages: "a map", "a list", "null", "the string
/// \"x\"", "the number 3", "the boolean true".
std::string describe(const yaml_node& n);

/// "a list" for "list", "an integer" for "integer".
std::string with_article(std::string_view noun);

/// " (did you mean NAME?)" naming the one of `names` nearest to `found` when it is near
/// enough to be a typo of it; empty otherwise.
std::string did_you_mean(std::string_view found, const std::vector<std::string_view>& names);

/// "a, b, c".
std::string join(const std::vector<std::string_view>& names);

/// A value to read: the node under a key, and the key's path. `node` is nullptr when the key
/// is absent, and every read of an absent field returns nothing without an error (whether a
/// key is required is `check_keys`' business).
struct field {
  const yaml_node* node = nullptr;
  std::string path;
};

/// The value of `key` in the map `n` (at `path`).
field at(const yaml_node& n, const std::string& path, std::string_view key);

/// Reads typed values from nodes. Each read returns the value, or nothing after recording
/// "<path>: expected <what>, found <describe(node)>".
class config_reader {
public:
  /// Errors go to `errors`; unknown keys, which Sentry Streams' schema allows, to `warnings`.
  config_reader(std::string file, std::vector<config_error>& errors,
                std::vector<config_error>& warnings)
      : file_(std::move(file)), errors_(&errors), warnings_(&warnings) {}

  /// Records an error at the place of `at`.
  void error(const yaml_node& at, std::string path, std::string message);
  /// Records an error concerning no one place of the file.
  void error(std::string path, std::string message);
  /// "expected <expected>, found <describe(at)>".
  void mismatch(const yaml_node& at, std::string path, std::string_view expected);

  /// The entry `key` of the map `n`, or nullptr.
  static const yaml_node* find(const yaml_node& n, std::string_view key);

  /// True when `n` is a map, or null where `null_is_empty` (a step written `mystep:` with
  /// nothing under it); records an error otherwise.
  bool map(const yaml_node& n, const std::string& path, bool null_is_empty = false);

  /// Records a warning for each key of the map `n` that none of `sections` allows (naming
  /// those allowed and the nearest to the one found), and an error for each key given twice
  /// and each key one of `sections` requires but `n` lacks. `owner` says what the map configures
  /// ("a Kafka source"), for the messages.
  void check_keys(const yaml_node& n, const std::string& path,
                  std::initializer_list<key_section> sections, std::string_view owner = "");

  /// A non-empty string: any scalar, numbers and booleans taken as the text written.
  std::optional<std::string> string(const field& f);
  std::optional<bool> boolean(const field& f);
  /// An integer of at least `min`, written unquoted.
  std::optional<std::int64_t> integer(const field& f, std::int64_t min);
  std::optional<std::size_t> positive_integer(const field& f);
  std::optional<std::uint16_t> port(const field& f);
  /// A number, integer or decimal, written unquoted.
  std::optional<double> number(const field& f);
  /// A positive number, integer or decimal, written unquoted.
  std::optional<double> positive_number(const field& f);
  /// A positive number of seconds, as `drain_timeout_sec: 2.5` writes it, rounded to
  /// milliseconds (at least one).
  std::optional<std::chrono::milliseconds> seconds(const field& f);
  /// A positive number of milliseconds, as `batch_time_ms: 5000.0` writes it.
  std::optional<std::chrono::microseconds> milliseconds(const field& f);
  /// A non-empty list of non-empty strings.
  std::optional<std::vector<std::string>> string_list(const field& f);
  /// A map (or null) whose values are scalars of any type, taken as the text written.
  std::optional<std::map<std::string, std::string>> string_map(const field& f);

  /// One of `choices`, matched exactly.
  template <class E>
  std::optional<E> one_of(const field& f,
                          std::initializer_list<std::pair<std::string_view, E>> choices) {
    if (!f.node)
      return std::nullopt;
    std::string names;
    for (auto& [name, value] : choices) {
      if (f.node->type == yaml_node::kind::scalar && f.node->text == name)
        return value;
      names += (names.empty() ? "" : ", ") + std::string(name);
    }
    mismatch(*f.node, f.path, "one of " + names);
    return std::nullopt;
  }

private:
  std::string file_;
  std::vector<config_error>* errors_;
  std::vector<config_error>* warnings_;
};

} // namespace streams::config::detail
