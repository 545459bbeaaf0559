#include "streams/origin_ranges.hpp"

namespace streams {

void origin_ranges::add(const origin_range& r) {
  if (r.count <= 0)
    return;
  origins_ += static_cast<std::size_t>(r.count);
  auto same = [&](const tail& t) { return t.source == r.source && t.partition == r.partition; };
  if (last_tail_ >= tails_.size() || !same(tails_[last_tail_])) {
    last_tail_ = 0;
    while (last_tail_ < tails_.size() && !same(tails_[last_tail_]))
      ++last_tail_;
    if (last_tail_ == tails_.size()) {
      tails_.push_back({r.source, r.partition, ranges_.size()});
      ranges_.push_back(r);
      return;
    }
  }
  auto& t = tails_[last_tail_];
  auto& last = ranges_[t.range];
  if (last.end() == r.first && last.weight == r.weight) {
    last.count += r.count;
    return;
  }
  t.range = ranges_.size();
  ranges_.push_back(r);
}

std::vector<origin_range> origin_ranges::take() {
  auto out = std::move(ranges_);
  *this = origin_ranges();
  return out;
}

} // namespace streams
