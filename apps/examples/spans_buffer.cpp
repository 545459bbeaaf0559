// Sentry Streams' spans_buffer: spans collected in tumbling windows of 5 seconds (processing
// time, over all spans: Sentry's example does not group them by trace yet), each window written
// as a segment, {"segment": [its spans], "total_duration": the sum of their durations in ms}.

#include "examples.hpp"

#include "streams/sources/stream_source.hpp"

#include <cmath>

namespace streams::examples {

namespace {

/// Sentry's Segment.
struct segment {
  std::int64_t total_duration = 0; ///< milliseconds
  std::vector<json> spans;
};

/// A span's duration in milliseconds, truncated as Python's int() does.
std::int64_t duration_ms(const json& span) {
  auto start = span.get_number("start_timestamp");
  auto end = span.get_number("end_timestamp");
  if (!start || !end)
    throw invalid_message("span has no numeric 'start_timestamp' and 'end_timestamp'");
  auto ms = (*end - *start) * 1000;
  if (!std::isfinite(ms) || std::fabs(ms) > 1e15)
    throw invalid_message("span's duration is out of range");
  return static_cast<std::int64_t>(ms);
}

/// Sentry's SpansBuffer: the spans of a window and their total duration.
class span_buffer {
public:
  void add(const json& span) {
    auto d = duration_ms(span); // first: an invalid span must leave the buffer as it was
    spans_.push_back(span);
    total_duration_ += d;
  }
  void merge(const span_buffer& other) {
    spans_.insert(spans_.end(), other.spans_.begin(), other.spans_.end());
    total_duration_ += other.total_duration_;
  }
  segment result() const { return {total_duration_, spans_}; }
  void save(std::string& out) const {
    codec::encode(out, total_duration_);
    codec::encode(out, spans_);
  }
  static span_buffer load(std::string_view in) {
    span_buffer b;
    codec::decode(in, b.total_duration_);
    codec::decode(in, b.spans_);
    return b;
  }

private:
  std::vector<json> spans_;
  std::int64_t total_duration_ = 0;
};

/// Sentry's build_segment_json.
bytes build_segment_json(const windowed<segment>& w) {
  json out;
  json::value spans(rapidjson::kArrayType);
  for (auto& s : w.value.spans)
    spans.PushBack(json::value(s.doc(), out.allocator()), out.allocator());
  out.set("segment", std::move(spans));
  out.set("total_duration", w.value.total_duration);
  return out.dump();
}

} // namespace

void spans_buffer(pipeline& p) {
  using namespace std::chrono_literals;
  p.source("myinput", sources::stream("events"))
      .parse_json("mymap")
      .reduce<span_buffer>("myreduce", windows::tumbling(5s))
      .map("map_str", build_segment_json)
      .sink("kafkasink", sinks::stream("transformed-events"));
}

} // namespace streams::examples
