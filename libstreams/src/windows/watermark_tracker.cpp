#include "streams/windows/watermark_tracker.hpp"

#include <algorithm>

namespace streams {

void watermark_tracker::observe(std::uint32_t source, std::int32_t partition, std::int64_t ts,
                                std::int64_t now) {
  auto [it, fresh] = inputs_.try_emplace({source, partition}, input{ts, now});
  if (!fresh) {
    it->second.max_ts = std::max(it->second.max_ts, ts);
    it->second.last_seen = now;
  }
}

std::int64_t watermark_tracker::advance(std::int64_t now) {
  if (inputs_.empty())
    return wm_;
  auto least_active = std::numeric_limits<std::int64_t>::max();
  auto greatest = none;
  bool any_active = false;
  for (auto& [id, in] : inputs_) {
    greatest = std::max(greatest, in.max_ts);
    if (now - in.last_seen < idle_) {
      any_active = true;
      least_active = std::min(least_active, in.max_ts);
    }
  }
  auto candidate = (any_active ? least_active : greatest) - ooo_;
  wm_ = std::max(wm_, candidate);
  return wm_;
}

std::optional<std::int64_t> watermark_tracker::next_idle_at(std::int64_t now) const {
  std::optional<std::int64_t> next;
  for (auto& [id, in] : inputs_)
    if (now - in.last_seen < idle_) {
      auto at = in.last_seen + idle_;
      next = next ? std::min(*next, at) : at;
    }
  return next;
}

} // namespace streams
