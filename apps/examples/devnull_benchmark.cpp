// Sentry Streams' devnull_benchmark: parse and transform ingest metrics into a DevNull sink
// that only simulates the time a real one takes (its batch and sleep settings come from the
// deployment config), for measuring the rest of the pipeline.

#include "examples.hpp"

#include "streams/sinks/devnull_sink.hpp"
#include "streams/sources/stream_source.hpp"

namespace streams::examples {

void devnull_benchmark(pipeline& p) {
  p.source("benchmark_source", sources::stream("ingest-metrics"))
      .parse_json("parser")
      .map("transform",
           [](const json& metric) {
             json out = metric;
             out.set("transformed", true);
             return out;
           })
      .sink("devnull", sinks::devnull<json>());
}

} // namespace streams::examples
