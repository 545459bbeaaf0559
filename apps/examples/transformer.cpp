// Sentry Streams' transformer: ingest metrics collected in sliding windows of 6 seconds that
// start every 2 seconds (processing time, the first window beginning at the first metric), each
// window written as a JSON array of its metrics in arrival order.

#include "examples.hpp"

#include "streams/sources/stream_source.hpp"

namespace streams::examples {

namespace {

bytes json_array(const std::vector<json>& items) {
  bytes text = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0)
      text.push_back(',');
    items[i].dump_to(text);
  }
  text.push_back(']');
  return text;
}

} // namespace

void transformer(pipeline& p) {
  using namespace std::chrono_literals;
  p.source("myinput", sources::stream("ingest-metrics"))
      .parse_json("parser")
      .reduce<accumulators::collect<json>>("custom_batcher", windows::sliding(6s, 2s))
      .map("serializer", [](const windowed<std::vector<json>>& w) { return json_array(w.value); })
      .sink("kafkasink2", sinks::stream("transformed-events"));
}

} // namespace streams::examples
