#pragma once

#include "streams/pipeline.hpp"

#include <stdexcept>
#include <string>

namespace streams {

namespace sources {

/// A source reading the stream `stream_name` from Kafka, as Sentry Streams'
/// `streaming_source`: brokers, topic and group come from the deployment config, which binds
/// it by step name before the pipeline runs. `dlq_stream_name` is the topic the config's
/// `dlq` writes to unless it names one.
inline source_spec<bytes> stream(std::string stream_name, std::string dlq_stream_name = {}) {
  return {stream_name, "",
          [stream_name]() -> std::unique_ptr<source> {
            throw std::runtime_error("stream '" + stream_name
                                     + "' is not bound to Kafka: give a deployment config with "
                                       "bootstrap_servers for this step");
          },
          "kafka", std::move(dlq_stream_name)};
}

} // namespace sources

namespace sinks {

/// A sink writing the stream `stream_name` to Kafka, bound by the deployment config like
/// `sources::stream`.
inline sink_spec<bytes> stream(std::string stream_name) {
  return {stream_name, "",
          [stream_name]() -> std::unique_ptr<sink> {
            throw std::runtime_error("stream '" + stream_name
                                     + "' is not bound to Kafka: give a deployment config with "
                                       "bootstrap_servers for this step");
          },
          "kafka"};
}

} // namespace sinks
} // namespace streams
