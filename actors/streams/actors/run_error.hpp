#pragma once

#include "streams/error.hpp"

namespace streams {

/// Why a running pipeline failed, when the runtime itself decides it must stop. A failure a
/// layer below raised keeps its own code instead (a Kafka source's `kafka.unreachable`).
enum class runtime_errc {
  /// A message was invalid and its source's `on_invalid` is `stop`, the default without a
  /// dead-letter queue (user: the input or the step; not retryable: the same message comes
  /// again).
  invalid_message,
  /// More invalid messages than the dead-letter limits allow (user; not retryable).
  dead_letter_limit,
  /// A step threw more than `max_restarts` times within `restart_window` (user: the step or
  /// what it calls; not retryable: it was retried that often already).
  restart_limit,
  /// A step threw where it is not restarted in place: a stateful step, or a tick or close
  /// (user; retryable: a restarted pipeline restores its state and replays what came after).
  step_failed,
  /// A source or sink failed with an error of no layer (a file that cannot be read, a
  /// delivery the broker refused) (external; retryable).
  connector_failed,
  /// A drain (a signal, `stop`) did not end within `drain_timeout`, e.g. a sink whose broker
  /// is gone (external; retryable).
  drain_timeout,
  /// A step's actor died of an error the runtime did not expect (internal; not retryable).
  actor_died,
  /// A node of a cluster, or its coordinator, was lost: killed, frozen past the timeout, cut
  /// off (external; retryable: the coordinator restarts the pipeline on the nodes left).
  node_lost,
  /// A batch from another node could not be decoded: another version of streams, or a fault
  /// (internal; not retryable).
  wire_corrupt,
  /// A node's app builds another pipeline than the coordinator's: another app, config or
  /// environment there (user; not retryable).
  pipeline_mismatch,
};

/// The name of the code ("restart_limit").
const char* to_string(runtime_errc code);
error_kind kind_of(runtime_errc code);

/// A failure of a running pipeline, in `run_result::failure`: code "runtime.<errc>".
class run_error : public error {
public:
  run_error(runtime_errc code, const std::string& what);
};

} // namespace streams
