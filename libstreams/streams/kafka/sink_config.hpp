#pragma once

#include <chrono>
#include <map>
#include <string>

namespace streams::kafka {

/// Where a Kafka sink writes. Plain data.
struct sink_config {
  /// "host:port,host:port".
  std::string bootstrap_servers;
  /// The topic every message goes to; messages with a key are partitioned by it
  /// (librdkafka's default partitioner), messages without one spread over the partitions.
  std::string topic;
  /// The idempotent producer (no duplicates or reordering from the producer's own retries).
  bool idempotent = true;
  /// How long `kafka_sink::flush` waits for outstanding delivery reports before it gives up
  /// and reports what is left as failed.
  std::chrono::milliseconds flush_timeout{60000};
  /// Any librdkafka producer property ("linger.ms", "compression.type", "acks", ...),
  /// applied after everything the sink sets itself, so these win.
  std::map<std::string, std::string> override_params;
};

} // namespace streams::kafka
