#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <utility>

namespace streams {

/// The event-time watermark of one step instance: the least, over the source partitions that
/// feed it, of the largest timestamp seen, minus the allowed out-of-orderness. A window ending
/// at or before the watermark is complete.
///
/// A partition that has sent nothing for `idle_timeout` (processing time) no longer holds the
/// watermark back; when every partition is idle the watermark follows the largest timestamp
/// seen, so that the last windows close once traffic stops. The watermark never goes back.
class watermark_tracker {
public:
  static constexpr std::int64_t none = std::numeric_limits<std::int64_t>::min();

  watermark_tracker(std::int64_t max_out_of_orderness_ms, std::int64_t idle_timeout_ms)
      : ooo_(max_out_of_orderness_ms), idle_(idle_timeout_ms) {}

  /// A message with timestamp `ts` came from `partition` of source `source` at `now`.
  void observe(std::uint32_t source, std::int32_t partition, std::int64_t ts, std::int64_t now);
  /// The watermark at processing time `now`; `none` before the first message.
  std::int64_t advance(std::int64_t now);
  std::int64_t current() const { return wm_; }
  /// When the next partition turns idle (and so may move the watermark), if any is active.
  std::optional<std::int64_t> next_idle_at(std::int64_t now) const;
  /// Starts from a watermark restored from state.
  void restore(std::int64_t wm) { wm_ = std::max(wm_, wm); }
  /// The partition no longer feeds this step (revoked): it holds the watermark back no more.
  void forget(std::uint32_t source, std::int32_t partition) { inputs_.erase({source, partition}); }

private:
  struct input {
    std::int64_t max_ts;
    std::int64_t last_seen;
  };
  std::int64_t ooo_;
  std::int64_t idle_;
  std::map<std::pair<std::uint32_t, std::int32_t>, input> inputs_;
  std::int64_t wm_ = none;
};

} // namespace streams
