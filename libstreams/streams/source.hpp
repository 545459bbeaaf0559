#pragma once

#include "streams/message.hpp"
#include "streams/waker.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace streams {

/// A partition's commit position: the first offset that is not yet done.
struct partition_offset {
  std::int32_t partition = 0;
  std::int64_t offset = 0;

  friend bool operator==(const partition_offset& a, const partition_offset& b) {
    return a.partition == b.partition && a.offset == b.offset;
  }
};

/// What a source may ask of the runtime while it runs (Kafka rebalances).
class source_context {
public:
  virtual ~source_context() = default;
  /// The partitions are being taken away. True once everything the runtime had of them is
  /// done (what stateful steps folded of them: durable); until then the runtime has its
  /// stateful steps checkpoint, and the source asks again at its next polls before it lets the
  /// partitions go, so that their next owner starts where this process's state ends. True
  /// also once the wait has lasted the runtime's drain timeout.
  virtual bool settled(const std::vector<std::int32_t>& /*partitions*/) { return true; }
  /// The partitions are being taken away: the runtime forgets them (stateful steps drop the
  /// state of keys only they fed) and returns the positions that are done and may be
  /// committed before they go.
  virtual std::vector<partition_offset> revoke(const std::vector<std::int32_t>& partitions) = 0;
  /// The partitions are now this source's: stateful steps restore their keys' state.
  virtual void assigned(const std::vector<std::int32_t>& /*partitions*/) {}
  /// A commit the source sent was answered (done or failed) `took` after it was sent: the
  /// commit latency metric. For sources whose commits go somewhere that answers (Kafka).
  virtual void commit_answered(std::chrono::nanoseconds /*took*/) {}
};

/// Where a pipeline's messages come from. The runtime owns one instance per source step
/// and calls it from one thread at a time; no call may block for long.
///
/// Every message returned by `poll` carries one origin (partition and offset, in
/// increasing offset order per partition); the runtime fills in the source index.
class source {
public:
  virtual ~source() = default;

  virtual void start(source_context& /*ctx*/) {}
  /// Called once before `start`. A source that can tell when messages become ready keeps
  /// `wake`, calls it whenever messages are ready after a `poll` that returned none, and
  /// returns true; the runtime then polls it when woken (and every 50 ms regardless) rather
  /// than every millisecond while it is idle.
  virtual bool set_waker(waker /*wake*/) { return false; }
  /// Up to `max` messages that are ready now; may return none. `max` is 0 while the runtime
  /// holds back a batch it has no room for: the call only keeps the source's own work going
  /// (a consumer group's rebalance).
  virtual std::vector<message> poll(std::size_t max) = 0;
  /// True once a finite source has returned everything it has.
  virtual bool exhausted() const { return false; }
  /// The runtime has no room downstream: stop fetching (but keep the group alive).
  virtual void pause() {}
  virtual void resume() {}
  /// The messages before these positions are done; make that durable.
  virtual void commit(const std::vector<partition_offset>& /*positions*/) {}
  /// The pipeline is stopping; release resources (a last commit has been made).
  virtual void stop() {}

  // -- for health checks and metrics, asked about once a second -------------------------

  /// Why the source cannot deliver now (no broker, no partitions assigned); empty when it can.
  virtual std::string not_ready() const { return {}; }
  /// Per partition assigned now, the offset after its last message as last seen (its log's
  /// end), when known: what the lag is measured against.
  virtual std::vector<partition_offset> log_ends() const { return {}; }
};

} // namespace streams
