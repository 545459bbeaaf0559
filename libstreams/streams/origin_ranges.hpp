#pragma once

#include "streams/lineage.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace streams {

/// Offsets `first` .. `first + count - 1` of one partition of one source, each with `weight`:
/// `count` origins in the space of one.
struct origin_range {
  std::uint32_t source = 0;
  std::int32_t partition = 0;
  std::int64_t first = 0;
  std::int64_t count = 1;
  std::uint64_t weight = origin::full_weight;

  static origin_range of(const origin& o) { return {o.source, o.partition, o.offset, 1, o.weight}; }
  std::int64_t end() const { return first + count; } ///< the offset after the last

  friend bool operator==(const origin_range& a, const origin_range& b) {
    return a.source == b.source && a.partition == b.partition && a.first == b.first
           && a.count == b.count && a.weight == b.weight;
  }
};

/// Origins gathered to be handed back together (the inputs a stateful step holds until a
/// checkpoint, the acks an actor sends a source), kept as ranges: inputs read in offset order
/// cost one range per partition instead of one origin each.
///
/// Invariants: every range has `count >= 1`; the ranges stand for exactly the origins added,
/// each once and with its weight (what `commit_tracker::done` adds up per offset); an origin
/// (or range) extends the last range of its (source, partition) when it starts where that one
/// ends with the same weight, and starts a new range otherwise.
class origin_ranges {
public:
  origin_ranges() = default;
  explicit origin_ranges(const lineage& l) { add(l); }

  void add(const origin_range& r);
  void add(const origin& o) { add(origin_range::of(o)); }
  void add(const lineage& l) {
    for (auto& o : l.origins())
      add(o);
  }

  const std::vector<origin_range>& ranges() const { return ranges_; }
  bool empty() const { return ranges_.empty(); }
  /// How many origins the ranges stand for.
  std::size_t origins() const { return origins_; }
  /// Hands the ranges over and starts empty again.
  std::vector<origin_range> take();

private:
  struct tail {
    std::uint32_t source;
    std::int32_t partition;
    std::size_t range; ///< index in ranges_ of the partition's last range
  };

  std::vector<origin_range> ranges_;
  std::vector<tail> tails_;   ///< one per (source, partition) added; few, so searched linearly
  std::size_t last_tail_ = 0; ///< where the previous add found its tail: usually this one's
  std::size_t origins_ = 0;
};

} // namespace streams
