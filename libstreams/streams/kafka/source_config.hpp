#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace streams::kafka {

/// Where a consumer group starts in a partition that has no committed offset (or whose
/// committed offset no longer exists).
enum class offset_reset {
  earliest, ///< the oldest message still in the partition
  latest,   ///< only messages produced from now on
  error,    ///< stop: `kafka_source::poll` throws `kafka_error(errc::offset_reset)`
};

/// "earliest", "latest" or "error" (librdkafka's spelling of `auto.offset.reset`).
std::string_view to_string(offset_reset r);
/// The inverse of `to_string`; nothing for any other text.
std::optional<offset_reset> parse_offset_reset(std::string_view text);

/// What a Kafka source reads and as which consumer group. Plain data.
struct source_config {
  /// "host:port,host:port".
  std::string bootstrap_servers;
  /// The one topic this source reads: a source reads exactly one topic, so a partition id
  /// identifies a partition (the lineage's origin carries no topic). A pipeline reading
  /// several topics has several sources.
  std::string topic;
  /// Required; `default_group` gives the platform's conventional name.
  std::string consumer_group;
  offset_reset auto_offset_reset = offset_reset::earliest;
  /// As Arroyo's strict offset reset: `auto_offset_reset` applies only to partitions without
  /// a committed offset, and a committed offset the partition no longer holds stops the source
  /// (`kafka_error(errc::offset_reset)`) rather than skip or replay data. False: librdkafka's
  /// `auto.offset.reset`, which applies to both.
  bool strict_offset_reset = false;
  /// A source that has never been assigned a partition and whose brokers have all been down
  /// for this long since it started stops (`kafka_error(errc::unreachable)`): a wrong address
  /// or a broker that is not there fails the run instead of waiting forever. Once it has
  /// partitions it rides out any outage (librdkafka reconnects).
  std::chrono::milliseconds connect_timeout{30000};
  /// Any librdkafka consumer property ("fetch.max.bytes", "session.timeout.ms", ...), applied
  /// after everything the source sets itself, so these win.
  std::map<std::string, std::string> override_params;
};

/// The consumer group a source step uses unless told otherwise: Sentry Streams' default,
/// "pipeline-<source step>", stable across restarts. Two pipelines whose sources share a step
/// name share the group unless one sets `consumer_group`.
std::string default_group(std::string_view source_step);

} // namespace streams::kafka
