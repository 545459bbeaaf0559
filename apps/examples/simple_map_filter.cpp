// Sentry Streams' simple_map_filter: keep counter ("c") metrics and mark them transformed.

#include "examples.hpp"

#include "streams/sources/stream_source.hpp"

namespace streams::examples {

void simple_map_filter(pipeline& p) {
  p.source("myinput", sources::stream("ingest-metrics"))
      .parse_json("parser")
      .filter("filter", [](const json& metric) { return metric.get_string("type") == "c"; })
      .map("transform",
           [](const json& metric) {
             json out = metric;
             out.set("transformed", true);
             return out;
           })
      .serialize_json("serializer")
      .sink("mysink", sinks::stream("transformed-events"));
}

} // namespace streams::examples
