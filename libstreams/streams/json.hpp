#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace streams {

/// A parsed JSON document: the payload type of `parse_json` and `serialize_json`.
///
/// Backed by RapidJSON (about 3.5 times faster than nlohmann_json for parse + edit + dump
/// here; see ../shared/STACK.md), with a small memory pool per document. Copies are deep,
/// so the copies a broadcast makes are independent. Use `doc()` for full RapidJSON access,
/// the helpers for the common reads and writes of one top-level field.
class json {
public:
  using document = rapidjson::Document;
  using value = rapidjson::Value;

  /// An empty object.
  json();
  json(const json& other);
  json(json&&) noexcept;
  json& operator=(const json& other);
  json& operator=(json&&) noexcept;
  ~json();

  /// Parses `text`; throws `invalid_message` naming the offset and the error.
  static json parse(std::string_view text);
  std::string dump() const;
  void dump_to(std::string& out) const;

  document& doc();
  const document& doc() const;
  document::AllocatorType& allocator();

  /// The top-level member `key`, or null when absent or not an object.
  const value* find(std::string_view key) const;
  std::optional<std::string_view> get_string(std::string_view key) const;
  std::optional<std::int64_t> get_int(std::string_view key) const;
  std::optional<double> get_number(std::string_view key) const;

  /// Sets top-level member `key` of an object document, replacing an existing one.
  void set(std::string_view key, value v);
  void set(std::string_view key, bool b) { set(key, value(b)); }
  void set(std::string_view key, std::int64_t i) { set(key, value(i)); }
  void set(std::string_view key, double d) { set(key, value(d)); }
  void set(std::string_view key, std::string_view s);
  /// Without this, a string literal would convert to `bool` (a standard conversion beats
  /// the user-defined one to `std::string_view`) and be stored as `true`.
  void set(std::string_view key, const char* s) { set(key, std::string_view(s)); }

private:
  struct state;
  std::unique_ptr<state> s_;
};

} // namespace streams
