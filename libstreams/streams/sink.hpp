#pragma once

#include "streams/message.hpp"
#include "streams/waker.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace streams {

/// How a sink reports what became of the messages it was given. Implemented by the runtime.
class delivery_report {
public:
  virtual ~delivery_report() = default;
  /// The message with this lineage is durable where the sink puts things.
  virtual void delivered(const lineage& l) = 0;
  /// The message could not be delivered and retrying will not help: the pipeline fails
  /// (its offsets are never committed, so nothing is lost).
  virtual void failed(const lineage& l, const std::string& reason) = 0;
  /// This message will never be accepted where the sink puts things while others are (a
  /// record larger than the broker takes): an invalid message, which its source's
  /// `on_invalid` handles, not a failure of the sink. `m` carries the lineage and what the
  /// sink kept of the message. By default a failure.
  virtual void rejected(message m, const std::string& reason) { failed(m.lineage(), reason); }
};

/// Where a branch of a pipeline ends. The runtime owns one instance per sink step and calls
/// it from one thread at a time. A synchronous sink reports each message delivered before
/// `write` returns; an asynchronous one reports later, from `poll` or `flush`.
class sink {
public:
  virtual ~sink() = default;

  virtual void write(std::vector<message>& batch, delivery_report& report) = 0;
  /// Serves delivery reports that have arrived; called regularly by the runtime while
  /// messages are pending.
  virtual void poll(delivery_report& /*report*/) {}
  /// Called once before the first `write`. A sink that can tell when delivery reports arrive
  /// keeps `wake`, calls it when reports are ready to be served by `poll`, and returns true;
  /// the runtime then polls it when woken (and every 50 ms regardless) rather than every 2 ms.
  virtual bool set_waker(waker /*wake*/) { return false; }
  /// Messages written but not yet reported; the runtime waits when there are too many.
  virtual std::size_t pending() const { return 0; }
  /// Blocks until every written message is reported (shutdown).
  virtual void flush(delivery_report& /*report*/) {}
  /// Why the sink cannot deliver now (no broker); empty when it can. Asked about once a
  /// second, after a `poll`, for health checks.
  virtual std::string not_ready() const { return {}; }
};

} // namespace streams
