#include "streams/commit_tracker.hpp"

#include <algorithm>

namespace streams {

void commit_tracker::track(std::int32_t partition, std::int64_t offset) {
  partitions_[partition].pending.push_back({offset, 0});
  ++in_flight_;
}

void commit_tracker::done(const origin_range& r) {
  auto it = partitions_.find(r.partition);
  if (it == partitions_.end())
    return; // revoked meanwhile: another consumer owns the partition now
  auto& p = it->second;
  auto& q = p.pending;
  if (q.empty())
    return;
  // Offsets are usually contiguous, so try direct indexing before searching.
  auto guess = r.first - q.front().offset;
  std::deque<entry>::iterator e;
  if (guess <= 0)
    e = q.begin();
  else if (guess < static_cast<std::int64_t>(q.size()) && q[guess].offset == r.first)
    e = q.begin() + guess;
  else
    e = std::lower_bound(q.begin(), q.end(), r.first,
                         [](const entry& x, std::int64_t off) { return x.offset < off; });
  for (; e != q.end() && e->offset < r.end(); ++e) // offsets not tracked are not in q
    e->returned += r.weight;
  while (!q.empty() && q.front().returned >= origin::full_weight) {
    p.position = q.front().offset + 1;
    q.pop_front();
    --in_flight_;
  }
}

std::vector<partition_offset> commit_tracker::take_commits() {
  std::vector<partition_offset> out;
  for (auto& [id, p] : partitions_) {
    if (p.position > p.committed) {
      out.push_back({id, p.position});
      p.committed = p.position;
    }
  }
  return out;
}

std::vector<partition_offset> commit_tracker::revoke(const std::vector<std::int32_t>& partitions) {
  std::vector<partition_offset> out;
  for (auto id : partitions) {
    auto it = partitions_.find(id);
    if (it == partitions_.end())
      continue;
    if (it->second.position > it->second.committed)
      out.push_back({id, it->second.position});
    in_flight_ -= it->second.pending.size();
    partitions_.erase(it);
  }
  return out;
}

} // namespace streams
