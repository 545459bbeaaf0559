#include "streams/metrics/instruments.hpp"

namespace streams::metrics {

std::uint64_t histogram::snapshot::count() const {
  std::uint64_t n = 0;
  for (auto c : counts)
    n += c;
  return n;
}

histogram::snapshot& histogram::snapshot::operator+=(const snapshot& o) {
  for (std::size_t i = 0; i < counts.size(); ++i)
    counts[i] += o.counts[i];
  sum += o.sum;
  return *this;
}

histogram::snapshot histogram::read() const {
  snapshot s;
  for (std::size_t i = 0; i < counts_.size(); ++i)
    s.counts[i] = counts_[i].load(std::memory_order_relaxed);
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

} // namespace streams::metrics
