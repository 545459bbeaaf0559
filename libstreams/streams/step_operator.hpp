#pragma once

#include "streams/message.hpp"

#include <chrono>
#include <cstddef>
#include <optional>

namespace streams {

using clock = std::chrono::steady_clock;

/// Where a step puts what it makes of its input. Implemented by the runtime.
class emitter {
public:
  virtual ~emitter() = default;
  /// Sends `m` out of output port `port` (0 unless the step branches).
  virtual void emit(std::size_t port, message&& m) = 0;
  /// Marks `m` as dropped on purpose (a filter said no): its offsets count as done.
  virtual void drop(message&& m) = 0;
};

/// The logic of one transform step, independent of how it is executed.
///
/// The runtime owns one instance per running step and calls it from one thread at a
/// time (inside the step's actor). The only required hook is `process`; steps that hold
/// messages back (batch, windows) also use `next_deadline`, `on_tick` and `on_close`.
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
  /// The input has ended (drain on shutdown): emit whatever is held back.
  virtual void on_close(emitter& /*out*/) {}
};

} // namespace streams
