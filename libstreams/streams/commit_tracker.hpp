#pragma once

#include "streams/origin_ranges.hpp"
#include "streams/source.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <vector>

namespace streams {

/// Knows, for one source, which offsets are still in flight and which are done, and so
/// which positions may be committed (DESIGN.md idea 3). Owned by the source's actor.
///
/// Offsets are tracked in the order the source hands them out (increasing per partition,
/// gaps allowed). An offset is done once the weights returned for it add up to
/// `origin::full_weight`; the commit position of a partition is the offset after the
/// longest done prefix.
///
/// Offsets in flight are kept as runs of consecutive offsets that have had the same weight
/// returned: handed out in order and acknowledged in ranges, a second of input at millions of
/// messages a second (all held until a stateful step's checkpoint) is a few runs, not an entry
/// per offset.
class commit_tracker {
public:
  /// The source handed out `offset` of `partition`.
  void track(std::int32_t partition, std::int64_t offset);
  /// A share of each offset of `r` came back (delivered by a sink or dropped on purpose);
  /// offsets of `r` not in flight (gaps, done already, revoked) are ignored.
  void done(const origin_range& r);
  void done(const origin& o) { done(origin_range::of(o)); }

  /// Positions that moved since the last call; marks them as committed.
  std::vector<partition_offset> take_commits();
  /// The partitions are gone: forget them, returning their last uncommitted done positions.
  std::vector<partition_offset> revoke(const std::vector<std::int32_t>& partitions);
  /// The offsets of `partition` from `from` on, handed out last, were not sent on (the
  /// partition is being revoked): they are no longer in flight, and the partition's position
  /// stops before them.
  void take_back(std::int32_t partition, std::int64_t from);
  /// True when none of the partitions has an offset in flight.
  bool settled(const std::vector<std::int32_t>& partitions) const;

  /// Offsets handed out and not yet done.
  std::size_t in_flight() const { return in_flight_; }

private:
  /// Offsets [first, first + count), each of which has had `returned` weight back.
  struct run {
    std::int64_t first;
    std::int64_t count;
    std::uint64_t returned;
  };
  struct partition_state {
    std::deque<run> pending;     // offsets in flight, in source order
    std::int64_t position = -1;  // first offset not done; -1 before anything was done
    std::int64_t committed = -1; // the position last returned by take_commits
  };

  std::map<std::int32_t, partition_state> partitions_;
  std::size_t in_flight_ = 0;
};

} // namespace streams
