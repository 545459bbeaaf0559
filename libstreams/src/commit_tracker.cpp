#include "streams/commit_tracker.hpp"

#include <algorithm>

namespace streams {

namespace {

/// The index of the first run that starts at or after `at`, once the run holding `at` (if any)
/// is split in two there.
template <class Runs>
std::size_t split_at(Runs& q, std::int64_t at) {
  auto after = std::upper_bound(q.begin(), q.end(), at,
                                [](std::int64_t v, const auto& r) { return v < r.first; });
  auto i = static_cast<std::size_t>(after - q.begin());
  if (i == 0)
    return 0;
  auto& holder = q[i - 1];
  if (at == holder.first)
    return i - 1;
  if (at >= holder.first + holder.count)
    return i; // past it, in a gap or after the last
  auto tail = holder;
  tail.first = at;
  tail.count = holder.first + holder.count - at;
  holder.count = at - holder.first;
  q.insert(q.begin() + static_cast<std::ptrdiff_t>(i), tail);
  return i;
}

} // namespace

void commit_tracker::track(std::int32_t partition, std::int64_t offset) {
  auto& q = partitions_[partition].pending;
  if (!q.empty() && q.back().returned == 0 && q.back().first + q.back().count == offset)
    ++q.back().count;
  else
    q.push_back({offset, 1, 0});
  ++in_flight_;
}

void commit_tracker::done(const origin_range& r) {
  auto it = partitions_.find(r.partition);
  if (it == partitions_.end())
    return; // revoked meanwhile: another consumer owns the partition now
  auto& p = it->second;
  auto& q = p.pending;
  if (q.empty() || r.end() <= q.front().first)
    return;
  // Offsets not tracked (gaps, done already) are in no run. Splitting at the end inserts
  // after the start's run, so the start's index stays as it is.
  auto from = split_at(q, r.first);
  auto to = split_at(q, r.end());
  for (auto i = from; i < to; ++i)
    q[i].returned += r.weight;
  while (!q.empty() && q.front().returned >= origin::full_weight) {
    p.position = q.front().first + q.front().count;
    in_flight_ -= static_cast<std::size_t>(q.front().count);
    q.pop_front();
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

void commit_tracker::take_back(std::int32_t partition, std::int64_t from) {
  auto it = partitions_.find(partition);
  if (it == partitions_.end())
    return;
  auto& q = it->second.pending;
  auto first = q.begin() + static_cast<std::ptrdiff_t>(split_at(q, from));
  for (auto r = first; r != q.end(); ++r)
    in_flight_ -= static_cast<std::size_t>(r->count);
  q.erase(first, q.end());
}

bool commit_tracker::settled(const std::vector<std::int32_t>& partitions) const {
  return std::all_of(partitions.begin(), partitions.end(), [&](std::int32_t id) {
    auto it = partitions_.find(id);
    return it == partitions_.end() || it->second.pending.empty();
  });
}

std::vector<partition_offset> commit_tracker::revoke(const std::vector<std::int32_t>& partitions) {
  std::vector<partition_offset> out;
  for (auto id : partitions) {
    auto it = partitions_.find(id);
    if (it == partitions_.end())
      continue;
    if (it->second.position > it->second.committed)
      out.push_back({id, it->second.position});
    for (auto& run : it->second.pending)
      in_flight_ -= static_cast<std::size_t>(run.count);
    partitions_.erase(it);
  }
  return out;
}

} // namespace streams
