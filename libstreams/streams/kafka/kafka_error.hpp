#pragma once

#include "streams/error.hpp"

#include <string>

namespace streams::kafka {

/// Why a Kafka client or the embedded broker could not do what it was asked. `kind_of` gives
/// each code's category and whether a retry helps, as noted here.
enum class errc {
  /// A property was unknown or had an invalid value (user; retrying cannot help).
  invalid_config,
  /// librdkafka could not create a client or the mock cluster (external; retrying rarely
  /// helps, so not retryable).
  client_creation,
  /// The embedded broker refused a command, e.g. creating a topic that exists (user, the
  /// caller's; not retryable).
  broker_command,
  /// `auto_offset_reset = error` and a partition has no valid committed offset, or
  /// `strict_offset_reset` and its committed offset is gone (user, their choice: the pipeline
  /// stops rather than guess where to start; not retryable).
  offset_reset,
  /// The client hit an error it cannot recover from, e.g. a fenced idempotent producer
  /// (external; retryable: a restarted step gets a new client).
  fatal,
  /// No broker answered a source that never had partitions, within its `connect_timeout`
  /// (external; retryable: the brokers may come up).
  unreachable,
};

/// The name of the code, as used in messages ("invalid_config").
const char* to_string(errc code);
error_kind kind_of(errc code);

/// Thrown by the Kafka layer: constructors when a client cannot be made, `kafka_source::poll`
/// when consumption cannot go on. The message names the topic, group or property involved.
/// Its `streams::error::code()` is "kafka.<errc>".
class kafka_error : public streams::error {
public:
  kafka_error(errc code, const std::string& what)
      : streams::error(std::string("kafka.") + to_string(code), kind_of(code), what), code_(code) {}
  errc code() const { return code_; }

private:
  errc code_;
};

} // namespace streams::kafka
