#pragma once

#include "streams/invalid_policy.hpp"

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace streams::config {

/// Where a consumer group starts in a partition without a committed offset. The config
/// layer has its own copy of this choice so that it needs nothing of the Kafka library; the
/// CLI maps it onto `kafka::offset_reset` one to one.
enum class offset_reset {
  earliest, ///< the oldest message still in the partition
  latest,   ///< only messages produced from now on
  error,    ///< stop the source with an error
};

/// "earliest", "latest" or "error", as written in the config.
std::string_view to_string(offset_reset r);

/// Where a Kafka source sends the messages no step could process (`dlq:` of a source).
struct dlq_settings {
  /// Default: the DLQ stream name the pipeline gives the source (Sentry Streams'
  /// `dlq_stream_name`), else the source's topic followed by "-dlq".
  std::string topic;
  /// "host:port" each; required.
  std::vector<std::string> bootstrap_servers;
  /// librdkafka producer properties, applied last.
  std::map<std::string, std::string> override_params;
  /// arroyo's `DlqLimit`: past either, the pipeline stops instead.
  std::optional<double> max_invalid_ratio;
  std::optional<std::uint64_t> max_consecutive_count;
};

/// A source step whose connector is "kafka".
struct kafka_source_settings {
  /// "host:port" each; required, never empty.
  std::vector<std::string> bootstrap_servers;
  /// Default: the stream name the pipeline gives the source.
  std::string topic;
  /// Unset: Sentry Streams' default, "pipeline-<source step name>".
  std::optional<std::string> consumer_group;
  /// Unset: Sentry Streams' default, `latest`.
  std::optional<offset_reset> auto_offset_reset;
  /// True: `auto_offset_reset` applies only to partitions without a committed offset, and a
  /// committed offset that no longer exists stops the source (Arroyo's strict offset reset).
  /// False (Sentry Streams' default): it applies to both.
  bool strict_offset_reset = false;
  /// Unset: the Kafka source's default (30 s).
  std::optional<std::chrono::milliseconds> connect_timeout;
  /// librdkafka consumer properties, applied last; YAML numbers and booleans arrive as the
  /// text they were written as.
  std::map<std::string, std::string> override_params;
  std::optional<dlq_settings> dlq;
  /// `on_invalid`: dead_letter when `dlq` is given, else stop unless it says drop.
  streams::on_invalid on_invalid = streams::on_invalid::stop;
};

/// A sink step whose connector is "kafka".
struct kafka_sink_settings {
  /// "host:port" each; required, never empty.
  std::vector<std::string> bootstrap_servers;
  /// Default: the stream name the pipeline gives the sink.
  std::string topic;
  /// Unset: the Kafka sink's default (30 s).
  std::optional<std::chrono::milliseconds> connect_timeout;
  /// librdkafka producer properties, applied last.
  std::map<std::string, std::string> override_params;
};

/// A batch step: overrides of the size and time the pipeline gave it. Unset: the pipeline's.
struct batch_settings {
  std::optional<std::size_t> batch_size;
  /// `batch_timedelta: {minutes: 1, seconds: 5}`, rounded to milliseconds.
  std::optional<std::chrono::milliseconds> batch_timedelta;
};

/// A sink step whose connector is "devnull": Sentry Streams' DevNullSink, which discards
/// messages but can pretend to flush in batches that take time, for benchmarks. Unset: the
/// sink does not batch or sleep.
struct devnull_sink_settings {
  std::optional<std::size_t> batch_size;
  std::optional<std::chrono::microseconds> batch_time;         ///< `batch_time_ms`
  std::optional<std::chrono::microseconds> average_sleep_time; ///< `average_sleep_time_ms`
  std::optional<std::chrono::microseconds> max_sleep_time;     ///< `max_sleep_time_ms`
};

/// Steps that take only the settings every step has (`parallelism`, `starts_segment`).
struct no_settings {};

/// The settings of one step, typed by what the step is in the pipeline graph.
using step_settings = std::variant<no_settings, kafka_source_settings, kafka_sink_settings,
                                   batch_settings, devnull_sink_settings>;

} // namespace streams::config
