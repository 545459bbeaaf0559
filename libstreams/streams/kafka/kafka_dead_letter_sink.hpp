#pragma once

#include "streams/kafka/sink_config.hpp"
#include "streams/kafka/source_config.hpp"
#include "streams/sink.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

namespace streams {

/// The dead-letter sink of one Kafka source: for each invalid message derived from the source
/// it writes the source's ORIGINAL records (value, key and headers byte for byte, timestamp)
/// to the dead-letter topic, one per source offset in the message's lineage (a batch has many),
/// with provenance headers appended: `streams-original-topic`, `streams-original-partition`,
/// `streams-original-offset`, and the dead letter's `streams-source`, `streams-step`,
/// `streams-error` and `streams-rejected-at` (see `to_dead_letter`).
///
/// The originals are read back from the source topic by partition and offset when a dead
/// letter arrives, rather than kept beside every message in flight: their offsets are not
/// committed until the dead letter is delivered, so Kafka still holds them, and the happy path
/// pays nothing. A dead letter whose origin is not one of the source's offsets (the output of a
/// window, whose inputs are committed once its state is durable) or whose record is no longer
/// in the topic (retention) is written as the step saw it (`to_dead_letter`'s form).
///
/// Each record is reported delivered (and its offset may be committed) only once the
/// dead-letter topic has acknowledged it. Threading: one thread at a time; `write` blocks
/// while it reads the originals back (milliseconds; at most `read_timeout`).
class kafka_dead_letter_sink : public sink {
public:
  /// `source_index`: the index of the source among the pipeline's sources (its origins').
  kafka_dead_letter_sink(kafka::sink_config dlq, kafka::source_config source,
                         std::uint32_t source_index,
                         std::chrono::milliseconds read_timeout = std::chrono::seconds(10));
  ~kafka_dead_letter_sink() override;

  void write(std::vector<message>& batch, delivery_report& report) override;
  void poll(delivery_report& report) override;
  bool set_waker(waker wake) override;
  std::size_t pending() const override;
  void flush(delivery_report& report) override;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace streams
