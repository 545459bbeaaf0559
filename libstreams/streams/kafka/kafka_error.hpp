#pragma once

#include <stdexcept>
#include <string>

namespace streams::kafka {

/// Why a Kafka client or the embedded broker could not do what it was asked.
enum class errc {
  /// A property was unknown or had an invalid value (the user's error; fix the config).
  invalid_config,
  /// librdkafka could not create a client or the mock cluster (external; retrying rarely helps).
  client_creation,
  /// The embedded broker refused a command, e.g. creating a topic that exists (the caller's error).
  broker_command,
  /// `auto_offset_reset = error` and a partition has no valid committed offset (the user's
  /// choice: the pipeline stops rather than guess where to start).
  offset_reset,
  /// The client hit an error it cannot recover from, e.g. a fenced idempotent producer
  /// (external; a restarted step gets a new client).
  fatal,
};

/// The name of the code, as used in messages ("invalid_config").
const char* to_string(errc code);

/// Thrown by the Kafka layer: constructors when a client cannot be made, `kafka_source::poll`
/// when consumption cannot go on. The message names the topic, group or property involved.
class kafka_error : public std::runtime_error {
public:
  kafka_error(errc code, const std::string& what) : std::runtime_error(what), code_(code) {}
  errc code() const { return code_; }

private:
  errc code_;
};

} // namespace streams::kafka
