#pragma once

#include "streams/kafka/sink_config.hpp"
#include "streams/pipeline.hpp"
#include "streams/sink.hpp"

#include <cstddef>
#include <memory>
#include <vector>

namespace streams {

/// A sink producing every message to one Kafka topic (librdkafka's C API): the payload
/// (`bytes`) as the record's value, its key, all its headers in order and its timestamp.
/// The idempotent producer is on by default.
///
/// A message counts as delivered only when its delivery report says so: each produced
/// record carries its message's lineage (and payload, which librdkafka sends without
/// copying) until the report arrives, and the report then calls `delivered` or, when
/// librdkafka has given up, `failed` with "topic T partition P: <reason>" — which fails the
/// pipeline — or, for an error about that record alone (larger than `message.max.bytes` of
/// the producer or the topic, a record the broker's validation refuses), `rejected`: an
/// invalid message, which its source's `on_invalid` sends to the dead letters or drops. Nothing is
/// dropped: when librdkafka's local queue is full, `write` serves reports and tries again.
///
/// Lifecycle: the constructor makes the producer (throwing `kafka::kafka_error` for a bad
/// config); `write` produces, `poll` serves the reports that have arrived, `flush` waits for
/// all of them (up to `sink_config::flush_timeout`, after which what is left is reported
/// failed). Destroying it with reports outstanding abandons them (logged).
///
/// Threading: one thread at a time (the sink's actor). Delivery reports are only ever
/// served inside `write`, `poll` and `flush`, on the calling thread, to the report object
/// passed to that call.
class kafka_sink : public sink {
public:
  explicit kafka_sink(kafka::sink_config config);
  ~kafka_sink() override;
  kafka_sink(const kafka_sink&) = delete;
  kafka_sink& operator=(const kafka_sink&) = delete;

  /// Produces every message of `batch`, moving the payloads out of it (librdkafka sends them
  /// from where they then live, without a copy); the rest of each message stays as it was.
  void write(std::vector<message>& batch, delivery_report& report) override;
  void poll(delivery_report& report) override;
  /// Wakes the caller when delivery reports arrive after the producer's queue was empty
  /// (librdkafka's queue event callback, on its own thread).
  bool set_waker(waker wake) override;
  /// Messages produced whose delivery report has not been served yet.
  std::size_t pending() const override;
  void flush(delivery_report& report) override;
  /// "all brokers are down", until a delivery report comes back again.
  std::string not_ready() const override;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

namespace sinks {

/// A sink step writing to `config.topic`; its stream is named after the topic.
sink_spec<bytes> kafka(kafka::sink_config config);

} // namespace sinks
} // namespace streams
