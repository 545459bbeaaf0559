#pragma once

// The names of the metrics a pipeline reports, in Sentry Streams' dotted form (Prometheus
// gets them with `_` for `.`). docs/operations.md describes each.

namespace streams::metrics::names {

// per step (tags: pipeline, step)
inline constexpr const char* input_messages = "streams.pipeline.input.messages";
inline constexpr const char* input_bytes = "streams.pipeline.input.bytes";
inline constexpr const char* output_messages = "streams.pipeline.output.messages";
inline constexpr const char* output_bytes = "streams.pipeline.output.bytes";
inline constexpr const char* errors = "streams.pipeline.errors";
inline constexpr const char* dropped = "streams.pipeline.dropped.messages";
inline constexpr const char* restarts = "streams.pipeline.restarts";
inline constexpr const char* duration = "streams.pipeline.duration";
inline constexpr const char* backpressure = "streams.pipeline.backpressure.seconds";
inline constexpr const char* in_flight = "streams.pipeline.in_flight";
inline constexpr const char* latency = "streams.pipeline.consumer.latency";
inline constexpr const char* commit_latency = "streams.pipeline.consumer.commit_latency";
// per source partition (tags: pipeline, step, partition)
inline constexpr const char* committed_offset = "streams.pipeline.consumer.committed_offset";
inline constexpr const char* lag = "streams.pipeline.consumer.lag";
// per pipeline (tag: pipeline)
inline constexpr const char* dlq_messages = "streams.pipeline.dlq.messages";

} // namespace streams::metrics::names
