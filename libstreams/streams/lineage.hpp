#pragma once

#include <cstdint>
#include <vector>

namespace streams {

/// Where a message came from: one offset of one partition of one source of the pipeline,
/// plus the share of that offset this message stands for.
///
/// Exact commits (docs/concepts.md) rest on weights: a source hands out every offset with
/// `origin::full_weight`; a step that turns one message into several splits the weight
/// among them; sinks and deliberate drops hand weights back. An offset is done once all
/// of its weight has come back, whatever the order in which the pieces arrive.
struct origin {
  static constexpr std::uint64_t full_weight = std::uint64_t{1} << 62;

  std::uint32_t source = 0;  ///< index of the source step in the pipeline
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::uint64_t weight = full_weight;

  friend bool operator==(const origin& a, const origin& b) {
    return a.source == b.source && a.partition == b.partition && a.offset == b.offset
           && a.weight == b.weight;
  }
};

/// The origins a message derives from: usually one, many after a batch.
class lineage {
public:
  lineage() = default;
  explicit lineage(origin o) : origins_{o} {}

  const std::vector<origin>& origins() const { return origins_; }
  bool empty() const { return origins_.empty(); }

  /// Stamps every origin with the index of the source that handed it out.
  void set_source(std::uint32_t source) {
    for (auto& o : origins_)
      o.source = source;
  }

  /// Appends the origins of another message (a batch gathering its inputs).
  void absorb(const lineage& other) {
    origins_.insert(origins_.end(), other.origins_.begin(), other.origins_.end());
  }

  /// Splits this lineage into `n` pieces whose weights add up to this one's; this
  /// lineage keeps the first piece and the other `n - 1` are returned.
  std::vector<lineage> split(std::size_t n);

private:
  std::vector<origin> origins_;
};

} // namespace streams
