#pragma once

#include <memory>
#include <string>
#include <vector>

namespace streams::kafka {

/// A topic to create in the embedded broker.
struct topic_spec {
  std::string name;
  int partitions = 1;
};

/// A Kafka-protocol broker inside this process, for development and tests only: librdkafka's
/// mock cluster. Real clients (ours, kcat, confluent-kafka, kafka-python) talk to it over TCP
/// on 127.0.0.1; everything is kept in memory and lost when it stops.
///
/// Lifecycle: the constructor starts the brokers (random free ports) and creates the given
/// topics; the destructor stops them, dropping every connection. Topics should be created
/// explicitly (the Admin API does not work against it); a topic produced to without being
/// created is created with the mock cluster's default of 4 partitions.
///
/// Limits (docs/kafka.md): no persistence, no transactions, no offsetsForTimes, and each
/// partition keeps only about the last 5 MB of messages.
///
/// Threading: the mock cluster runs on its own thread; every member function may be called
/// from any thread.
class embedded_broker {
public:
  /// Starts `brokers` brokers (at least 1) and creates `topics`. Throws `kafka_error`.
  explicit embedded_broker(int brokers = 1, std::vector<topic_spec> topics = {});
  ~embedded_broker();
  embedded_broker(const embedded_broker&) = delete;
  embedded_broker& operator=(const embedded_broker&) = delete;

  /// Creates a topic with partitions led round-robin by the brokers. Throws
  /// `kafka_error(errc::broker_command)` when it exists already or `partitions` < 1.
  void create_topic(const std::string& name, int partitions);

  /// "127.0.0.1:port,127.0.0.1:port", for `bootstrap.servers`.
  const std::string& bootstrap_servers() const;
  int broker_count() const;

  /// Closes every broker's connections and refuses new ones, keeping the ports, so that
  /// clients see the cluster go away (`set_down`) and come back at the same address
  /// (`set_up`). For tests of broker outages.
  void set_down();
  void set_up();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace streams::kafka
