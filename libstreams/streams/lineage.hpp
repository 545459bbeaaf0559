#pragma once

#include <algorithm>
#include <cstddef>
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

  std::uint32_t source = 0; ///< index of the source step in the pipeline
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::uint64_t weight = full_weight;

  friend bool operator==(const origin& a, const origin& b) {
    return a.source == b.source && a.partition == b.partition && a.offset == b.offset
           && a.weight == b.weight;
  }
};

/// A read-only view of a lineage's origins.
class origin_span {
public:
  origin_span(const origin* data, std::size_t size) : data_(data), size_(size) {}
  const origin* begin() const { return data_; }
  const origin* end() const { return data_ + size_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const origin& front() const { return data_[0]; }
  const origin& operator[](std::size_t i) const { return data_[i]; }

  friend bool operator==(const origin_span& a, const origin_span& b) {
    return a.size_ == b.size_ && std::equal(a.begin(), a.end(), b.begin());
  }
  friend bool operator!=(const origin_span& a, const origin_span& b) { return !(a == b); }

private:
  const origin* data_;
  std::size_t size_;
};

/// The origins a message derives from: usually one, many after a batch.
///
/// The single origin of the common case is kept inline: a lineage costs no allocation until
/// a batch gathers several.
class lineage {
public:
  lineage() = default;
  explicit lineage(origin o) : one_(o), size_(1) {}

  origin_span origins() const { return {data(), size_}; }
  bool empty() const { return size_ == 0; }

  /// Stamps every origin with the index of the source that handed it out.
  void set_source(std::uint32_t source) {
    for (auto* o = data(); o != data() + size_; ++o)
      o->source = source;
  }

  /// Appends the origins of another message (a batch gathering its inputs).
  void absorb(const lineage& other);

  /// Splits this lineage into `n` pieces whose weights add up to this one's; this
  /// lineage keeps the first piece and the other `n - 1` are returned.
  std::vector<lineage> split(std::size_t n);

private:
  origin* data() { return size_ <= 1 ? &one_ : many_.data(); }
  const origin* data() const { return size_ <= 1 ? &one_ : many_.data(); }

  origin one_;               // the origin while there is at most one
  std::vector<origin> many_; // all origins once there are several
  std::size_t size_ = 0;
};

} // namespace streams
