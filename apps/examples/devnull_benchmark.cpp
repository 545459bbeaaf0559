// Sentry Streams' DevNull benchmark: read a topic as fast as possible into a sink that only
// simulates the time a real one takes (its sleep settings come from the deployment config).

#include "examples.hpp"

#include "streams/sinks/stream_sinks.hpp"
#include "streams/sources/stream_source.hpp"

namespace streams::examples {

void devnull_benchmark(pipeline& p) {
  p.source("myinput", sources::stream("ingest-metrics")).sink("devnull", sinks::devnull());
}

} // namespace streams::examples
