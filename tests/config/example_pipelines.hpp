#pragma once

// The Sentry Streams examples of issue 4 as graphs, with the same step and stream names, for
// loading their deployment configs. The functions are stand-ins (the config only sees names,
// kinds and connectors) and the Kafka sources and sinks are memory and devnull ones that
// call themselves "kafka".

#include "streams/pipeline.hpp"

#include <memory>
#include <string>

namespace streams::test {

/// A source spec whose connector is "kafka", reading nothing.
source_spec<bytes> kafka_source(std::string stream_name);
/// A sink spec whose connector is "kafka", discarding everything.
sink_spec<bytes> kafka_sink(std::string stream_name);

std::unique_ptr<pipeline> simple_map_filter();
std::unique_ptr<pipeline> blq();
std::unique_ptr<pipeline> broadcast();
std::unique_ptr<pipeline> simple_batching();
std::unique_ptr<pipeline> devnull_benchmark();

} // namespace streams::test
