#pragma once

#include "streams/key_hash.hpp"
#include "streams/message.hpp"
#include "streams/origin_ranges.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace streams {

using clock = std::chrono::steady_clock;

class state_store;

/// Where a step puts what it makes of its input. Implemented by the runtime.
class emitter {
public:
  virtual ~emitter() = default;
  /// Sends `m` out of output port `port` (0 unless the step branches).
  virtual void emit(std::size_t port, message&& m) = 0;
  /// Marks `m` as dropped on purpose (a filter said no): its offsets count as done.
  virtual void drop(message&& m) = 0;
  /// Stateful steps: the offsets of `r` are done (their effect is in durable state). Inputs a
  /// stateful step folds into its state are held until then instead of being dropped.
  virtual void release(origin_ranges&& r) = 0;
  /// Stateful steps: sends `m` (whose lineage is ignored) out of `port` under an origin of the
  /// step's own; once it is delivered everywhere the runtime calls `delivered(id)`, so that
  /// the step can forget what it kept to emit `m` again after a crash. Ids grow from one
  /// call to the next.
  virtual void emit_tracked(std::size_t port, message&& m, std::uint64_t id) = 0;
  /// Sends `m` to the dead-letter sink with `reason` (late data, for example); counted.
  virtual void reject(message&& m, const std::string& reason) = 0;
};

/// What the runtime tells a step instance before it runs (`step_operator::open`).
struct operator_context {
  std::string step;             ///< the step's name: stateful steps prefix their state keys with it
  std::size_t instance = 0;     ///< which instance of the step this is, 0-based
  std::size_t instances = 1;    ///< how many run (the step's parallelism)
  state_store* store = nullptr; ///< the pipeline's state store; null when nothing is stateful

  /// Whether this instance holds the state of group-by key `key`: the one its key hash routes
  /// the key's messages to.
  bool owns(std::string_view key) const { return key_hash(key) % instances == instance; }
};

/// Why a step's input ended.
enum class close_reason {
  exhausted, ///< every source ran out of input (a finite source): emit everything held back
  stopped,   ///< the pipeline is draining to stop: keep what state can keep for the next run
};

/// The logic of one transform step, independent of how it is executed.
///
/// The runtime owns one instance per running step and calls it from one thread at a
/// time (inside the step's actor). The only required hook is `process`; steps that hold
/// messages back (batch, windows) also use `next_deadline`, `on_tick` and `on_close`;
/// stateful steps (`stateful()` true) also `open`, `checkpoint` and `delivered`.
///
/// `process` may throw. It must leave `m` untouched until the user function it wraps has
/// returned, so that the runtime can retry `m` or send it to the dead-letter sink as it was.
class step_operator {
public:
  virtual ~step_operator() = default;

  virtual void process(message& m, emitter& out) = 0;

  /// When `on_tick` wants to be called next, if ever.
  virtual std::optional<clock::time_point> next_deadline() const { return std::nullopt; }
  virtual void on_tick(clock::time_point /*now*/, emitter& /*out*/) {}
  /// The input has ended: emit whatever is held back (or, for state that survives a stop,
  /// keep it). A stateful step's runtime calls `checkpoint` once what it emitted is delivered.
  virtual void on_close(emitter& /*out*/, close_reason /*why*/) {}
  /// After `on_close`: true while the step holds more to emit, which the runtime asks for with
  /// `close_more` each time what it emitted before has gone on. The end of a finite input
  /// completes every open window of every key at once; in steps, it goes at the pace of the
  /// steps after, and what waits to be sent stays bounded.
  virtual bool close_pending() const { return false; }
  virtual void close_more(emitter& /*out*/) {}

  /// True for steps that keep state in the platform's store across messages.
  virtual bool stateful() const { return false; }
  /// Called once before the first message; a stateful step restores its state here. Throws
  /// (e.g. `state_error`) when it cannot.
  virtual void open(const operator_context& /*ctx*/) {}
  /// Makes the state durable and releases the inputs it covers; called on a cadence and at
  /// the end. Throws `state_error` when the store cannot write: the pipeline then stops.
  virtual void checkpoint(emitter& /*out*/) {}
  /// The output emitted with `emit_tracked(.., id)` has been delivered by every sink.
  virtual void delivered(std::uint64_t /*id*/) {}
  /// Partitions of source `source` went to another process; the runtime has just called
  /// `checkpoint`, and that holds all this instance had of them: forget the keys only they fed
  /// (their next owner restores them from the state changelog), so as not to emit their
  /// windows or write their state. `settled`: all the source had handed out of them was done
  /// (delivered, or made durable by the stateful steps) before it gave them up, so every
  /// message of them bound for this instance has come; false when the runtime's drain timeout
  /// gave them up before that.
  virtual void revoked(std::uint32_t /*source*/, const std::vector<std::int32_t>& /*partitions*/,
                       bool /*settled*/) {}
  /// Partitions of source `source` are now this process's: restore their keys' state (what
  /// another process wrote of them, as when the first message of one comes).
  virtual void assigned(std::uint32_t /*source*/, const std::vector<std::int32_t>& /*partitions*/) {
  }
};

} // namespace streams
