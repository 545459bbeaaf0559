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
  /// A sink that has messages to deliver and whose brokers have all been unreachable, none
  /// of them ever having answered, for this long since it started stops (`write`, `poll`
  /// and `flush` throw `kafka_error(errc::unreachable)`), rather than wait librdkafka's
  /// message.timeout.ms (300 s) for each message. Once a broker has answered it rides out
  /// any outage, as the source does.
  std::chrono::milliseconds connect_timeout{30000};
  /// Any librdkafka producer property ("linger.ms", "compression.type", "acks", ...),
  /// applied after everything the sink sets itself, so these win.
  std::map<std::string, std::string> override_params;
};

} // namespace streams::kafka
