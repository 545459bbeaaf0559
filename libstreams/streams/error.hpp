#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace streams {

/// Who has to act for an error to go away. The CLI picks its exit code from it: 2 for the
/// user's errors found before anything runs, 1 for the rest.
enum class error_category {
  user,     ///< the pipeline, its config, its input or its settings: fix them
  external, ///< something outside streams: a broker, a disk, the network
  internal, ///< a fault of streams itself: report it
};

/// "user", "external" or "internal".
const char* to_string(error_category c);

/// What one code of a layer's `errc` means for whoever handles it.
struct error_kind {
  error_category category;
  /// Whether trying the same thing again, unchanged, can succeed (a broker that comes back).
  bool retryable;
};

/// The base of the exceptions the layers throw (`pipeline_error`, `kafka::kafka_error`,
/// `deploy::config_errors`, ...), so that an error keeps its type from the layer that raised
/// it to the CLI: `code` names the layer and its `errc` ("kafka.client_creation"), `kind` says
/// who must act and whether a retry can help. Each layer documents its `errc` beside it.
class error : public std::runtime_error {
public:
  error(std::string code, error_kind kind, const std::string& what)
      : std::runtime_error(what), code_(std::move(code)), kind_(kind) {}
  const std::string& code() const { return code_; }
  error_category category() const { return kind_.category; }
  bool retryable() const { return kind_.retryable; }
  error_kind kind() const { return kind_; }

private:
  std::string code_;
  error_kind kind_;
};

/// The core's errors.
enum class errc {
  /// The pipeline is built wrongly (`pipeline_error`): the user's, retrying cannot help.
  invalid_pipeline,
  /// A step could not be made or opened when the pipeline started (a file that cannot be
  /// read, a setting its connector refuses): the user's, retrying cannot help.
  step_setup,
};

/// "invalid_pipeline", "step_setup".
const char* to_string(errc code);
error_kind kind_of(errc code);

/// An error of the core: code "core.<errc>".
class core_error : public error {
public:
  core_error(errc code, const std::string& what);
};

/// Thrown by a user function (or a built-in step) when one message cannot be processed
/// however often it is retried: malformed JSON, a header that is not an integer, a router
/// key naming no branch. The platform sends the message to the dead-letter sink, commits
/// past it and carries on. Any other exception counts as a failure of the step instead.
class invalid_message : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Thrown when a pipeline is built wrongly; `problems()` holds one line per problem,
/// each naming the steps involved. Its code is "core.invalid_pipeline".
class pipeline_error : public core_error {
public:
  explicit pipeline_error(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

private:
  std::vector<std::string> problems_;
};

} // namespace streams
