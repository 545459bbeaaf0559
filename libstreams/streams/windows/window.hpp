#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace streams {

enum class window_kind {
  tumbling, ///< consecutive windows of `size`, each message in one
  sliding,  ///< windows of `size` starting every `slide`, each message in size/slide of them
  count,    ///< consecutive windows of `count` messages per key
  session,  ///< per key, messages closer than `gap` to each other
};

/// Which clock places messages in time windows.
enum class time_domain {
  processing, ///< when the step receives the message
  event,      ///< the message's timestamp, ordered by watermarks
};

/// How a `reduce` step groups messages into windows, and when a window is complete.
///
/// Build one with `windows::tumbling`, `sliding`, `count` or `session`, then refine it:
///
///     windows::sliding(60s, 1s).event_time(5s).allowed_lateness(30s)
///
/// Time windows are half-open, [start, start + size), aligned to the Unix epoch. With event
/// time a window is complete once the watermark (the least, over the partitions feeding the
/// step, of the largest timestamp seen, minus `max_out_of_orderness`) reaches its end; later
/// messages within `allowed_lateness` update it and it is emitted again, messages later still
/// go to the dead-letter sink. A partition silent for `idle_timeout` stops holding the
/// watermark back. With processing time a window is complete when the clock reaches its end,
/// and sliding windows begin at the step's first message, as in Sentry Streams.
struct window_spec {
  window_kind kind = window_kind::tumbling;
  std::int64_t size_ms = 0;  ///< tumbling and sliding
  std::int64_t slide_ms = 0; ///< sliding; equal to size_ms for tumbling
  std::int64_t gap_ms = 0;   ///< session
  std::size_t count = 0;     ///< count
  time_domain time = time_domain::processing;
  std::int64_t max_out_of_orderness_ms = 0;
  std::int64_t allowed_lateness_ms = 0;
  std::int64_t idle_timeout_ms = 5000;

  /// Event time with watermarks that trail the largest timestamp by `max_out_of_orderness`.
  window_spec event_time(std::chrono::milliseconds max_out_of_orderness = {}) const;
  window_spec allowed_lateness(std::chrono::milliseconds lateness) const;
  /// How long a partition may send nothing before the watermark stops waiting for it.
  window_spec idle_timeout(std::chrono::milliseconds timeout) const;

  /// What is wrong with the spec, one line each; empty when it is valid.
  std::vector<std::string> problems() const;
  /// "sliding 6 s every 2 s, processing time", for topology text.
  std::string describe() const;
  /// True for windows closed by time (all but count windows).
  bool timed() const { return kind != window_kind::count; }
};

namespace windows {

window_spec tumbling(std::chrono::milliseconds size);
/// `slide` must divide `size`.
window_spec sliding(std::chrono::milliseconds size, std::chrono::milliseconds slide);
window_spec count(std::size_t messages);
window_spec session(std::chrono::milliseconds gap);

} // namespace windows

} // namespace streams
