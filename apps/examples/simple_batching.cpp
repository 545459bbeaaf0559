// Sentry Streams' simple_batching: metrics written as JSON arrays of three (or whatever
// arrived within 100 seconds).

#include "examples.hpp"

#include "streams/sources/stream_source.hpp"

namespace streams::examples {

void simple_batching(pipeline& p) {
  using namespace std::chrono_literals;
  p.source("myinput", sources::stream("ingest-metrics"))
      .parse_json("parser")
      .batch("mybatch", 3, 100s)
      .serialize_json("serializer")
      .sink("mysink", sinks::stream("transformed-events"));
}

} // namespace streams::examples
