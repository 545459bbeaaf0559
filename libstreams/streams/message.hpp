#pragma once

#include "streams/lineage.hpp"
#include "streams/value.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace streams {

/// One header of a message: a name and opaque bytes. Order is kept; names may repeat.
struct header {
  std::string name;
  std::string value;

  friend bool operator==(const header& a, const header& b) {
    return a.name == b.name && a.value == b.value;
  }
};

using headers = std::vector<header>;

/// Raw bytes, the payload type of sources, sinks and serialized data.
using bytes = std::string;

/// The unit that flows through a pipeline.
///
/// The payload (a `streams::value`) is typed by the step that produced it (`bytes` from sources and
/// serializers, `streams::json` from the JSON parser, anything a user map returns); the typed
/// builder (stream.hpp) checks at compile time that adjacent steps agree. Key, headers, timestamp
/// and schema travel unchanged through every step unless a step says otherwise. The
/// lineage tells the platform which source offsets the message derives from.
class message {
public:
  message() = default;

  template <class T>
  explicit message(T payload) : payload_(std::move(payload)) {}

  /// The payload as `T`; throws `std::bad_cast` when it holds another type.
  template <class T>
  const T& payload() const {
    if (auto p = payload_.get_if<T>())
      return *p;
    throw std::bad_cast();
  }
  template <class T>
  T& payload() {
    if (auto p = payload_.get_if<T>())
      return *p;
    throw std::bad_cast();
  }
  template <class T>
  const T* payload_if() const {
    return payload_.get_if<T>();
  }

  const value& any_payload() const { return payload_; }
  value& any_payload() { return payload_; }
  template <class T>
  void set_payload(T value) {
    payload_ = std::move(value);
  }

  const std::optional<bytes>& key() const { return key_; }
  void set_key(std::optional<bytes> key) { key_ = std::move(key); }

  const streams::headers& headers() const { return headers_; }
  streams::headers& headers() { return headers_; }
  /// The value of the first header called `name`, if any.
  const bytes* header(std::string_view name) const;
  void add_header(std::string name, std::string value) {
    headers_.push_back({std::move(name), std::move(value)});
  }

  /// Milliseconds since the Unix epoch.
  std::int64_t timestamp() const { return timestamp_; }
  void set_timestamp(std::int64_t ms) { timestamp_ = ms; }

  /// The name of the stream (schema) the payload belongs to.
  const std::string& schema() const { return schema_; }
  void set_schema(std::string schema) { schema_ = std::move(schema); }

  const streams::lineage& lineage() const { return lineage_; }
  streams::lineage& lineage() { return lineage_; }
  void set_lineage(streams::lineage l) { lineage_ = std::move(l); }

  /// A copy carrying `payload` and everything else of this message except its lineage.
  template <class T>
  message derive(T payload) const {
    message m;
    m.payload_ = std::move(payload);
    m.key_ = key_;
    m.headers_ = headers_;
    m.timestamp_ = timestamp_;
    m.schema_ = schema_;
    return m;
  }

private:
  value payload_;
  std::optional<bytes> key_;
  streams::headers headers_;
  std::int64_t timestamp_ = 0;
  std::string schema_;
  streams::lineage lineage_;
};

/// Milliseconds since the Unix epoch, now.
std::int64_t now_ms();

} // namespace streams
