#include "streams/windows/window.hpp"

namespace streams {

window_spec window_spec::event_time(std::chrono::milliseconds max_out_of_orderness) const {
  auto w = *this;
  w.time = time_domain::event;
  w.max_out_of_orderness_ms = max_out_of_orderness.count();
  return w;
}

window_spec window_spec::allowed_lateness(std::chrono::milliseconds lateness) const {
  auto w = *this;
  w.allowed_lateness_ms = lateness.count();
  return w;
}

window_spec window_spec::idle_timeout(std::chrono::milliseconds timeout) const {
  auto w = *this;
  w.idle_timeout_ms = timeout.count();
  return w;
}

std::vector<std::string> window_spec::problems() const {
  std::vector<std::string> out;
  switch (kind) {
    case window_kind::tumbling:
      if (size_ms <= 0)
        out.push_back("a tumbling window needs a size above 0 ms");
      break;
    case window_kind::sliding:
      if (size_ms <= 0 || slide_ms <= 0)
        out.push_back("a sliding window needs a size and a slide above 0 ms");
      else if (slide_ms > size_ms || size_ms % slide_ms != 0)
        out.push_back("a sliding window's slide (" + std::to_string(slide_ms)
                      + " ms) must divide its size (" + std::to_string(size_ms) + " ms)");
      break;
    case window_kind::count:
      if (count == 0)
        out.push_back("a count window needs at least 1 message");
      break;
    case window_kind::session:
      if (gap_ms <= 0)
        out.push_back("a session window needs a gap above 0 ms");
      break;
  }
  if (max_out_of_orderness_ms < 0)
    out.push_back("max out-of-orderness must not be negative");
  if (allowed_lateness_ms < 0)
    out.push_back("allowed lateness must not be negative");
  if (idle_timeout_ms <= 0)
    out.push_back("the idle timeout must be above 0 ms");
  if (time == time_domain::processing && allowed_lateness_ms > 0)
    out.push_back("allowed lateness needs event time: with processing time nothing is late");
  return out;
}

namespace {

std::string duration(std::int64_t ms) {
  if (ms % 1000 == 0)
    return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

} // namespace

std::string window_spec::describe() const {
  std::string out;
  switch (kind) {
    case window_kind::tumbling: out = "tumbling " + duration(size_ms); break;
    case window_kind::sliding:
      out = "sliding " + duration(size_ms) + " every " + duration(slide_ms);
      break;
    case window_kind::count: return "every " + std::to_string(count) + " messages";
    case window_kind::session: out = "sessions with gap " + duration(gap_ms); break;
  }
  if (time == time_domain::processing)
    return out + ", processing time";
  out += ", event time";
  if (max_out_of_orderness_ms > 0)
    out += ", out of order by " + duration(max_out_of_orderness_ms);
  if (allowed_lateness_ms > 0)
    out += ", late by " + duration(allowed_lateness_ms);
  return out;
}

namespace windows {

window_spec tumbling(std::chrono::milliseconds size) {
  window_spec w;
  w.kind = window_kind::tumbling;
  w.size_ms = w.slide_ms = size.count();
  return w;
}

window_spec sliding(std::chrono::milliseconds size, std::chrono::milliseconds slide) {
  window_spec w;
  w.kind = window_kind::sliding;
  w.size_ms = size.count();
  w.slide_ms = slide.count();
  return w;
}

window_spec count(std::size_t messages) {
  window_spec w;
  w.kind = window_kind::count;
  w.count = messages;
  return w;
}

window_spec session(std::chrono::milliseconds gap) {
  window_spec w;
  w.kind = window_kind::session;
  w.gap_ms = gap.count();
  return w;
}

} // namespace windows

} // namespace streams
