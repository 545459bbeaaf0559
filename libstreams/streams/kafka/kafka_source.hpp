#pragma once

#include "streams/kafka/source_config.hpp"
#include "streams/pipeline.hpp"
#include "streams/source.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace streams {

/// A source reading one Kafka topic as a member of a consumer group (librdkafka's C API).
///
/// Every message becomes a `streams::message` carrying the record's value as `bytes` (a null
/// value becomes empty bytes), its key (none when null), all its headers in order, its
/// timestamp (now when the record has none), the topic as schema, and one origin
/// (partition, offset). Offsets are never committed by librdkafka on its own
/// (`enable.auto.commit` and `enable.auto.offset.store` are off): only `commit` and
/// revocation commit, and only positions the runtime says are done.
///
/// Lifecycle: the constructor makes the consumer (throwing `kafka::kafka_error` for a bad
/// config); `start` joins the group; `poll` returns batches; `stop` commits nothing itself,
/// leaves the group and releases the client. Destroying it without `stop` leaves the group
/// too, without committing.
///
/// Rebalances (eager assignors only: `range` by default, or `roundrobin`): on revocation,
/// inside `poll`, the source asks `source_context::revoke` for the positions that are done,
/// commits them synchronously, gives the partitions up, and drops every message of theirs it
/// has fetched but not returned. On assignment it resumes from the committed offsets (or per
/// `auto_offset_reset`).
///
/// Threading: one thread at a time (the source's actor). `poll` must keep being called
/// while paused: it returns nothing then, but serves the group's events (rebalances, commit
/// results, errors), and a consumer not polled for `max.poll.interval.ms` (5 minutes)
/// leaves its group.
class kafka_source : public source {
public:
  explicit kafka_source(kafka::source_config config);
  ~kafka_source() override;
  kafka_source(const kafka_source&) = delete;
  kafka_source& operator=(const kafka_source&) = delete;

  /// Subscribes to the topic; the assignment arrives later, in `poll`.
  void start(source_context& ctx) override;
  /// Wakes the caller when the consumer's queue gets messages or group events after being
  /// empty (librdkafka's queue event callback, on its own thread).
  bool set_waker(waker wake) override;
  /// Up to `max` messages already fetched; never blocks.
  std::vector<message> poll(std::size_t max) override;
  /// Stops returning messages at once; a pause that lasts 100 ms (checked in `poll`) pauses
  /// every assigned partition (and any assigned while paused): fetching stops, and what was
  /// fetched but not returned is discarded, to be fetched again on `resume`. A shorter pause
  /// keeps what librdkafka fetched ahead (within its `queued.*` limits), so momentary lacks of
  /// credit cost nothing; during it `poll` does not serve the group's events either.
  void pause() override;
  void resume() override;
  /// Commits exactly these positions, asynchronously; a failed commit is logged and retried
  /// (with the next call, or by `poll` a second later) unless a later commit superseded it.
  /// Positions of partitions not assigned now are
  /// ignored: a revoked partition is committed only by its revocation.
  void commit(const std::vector<partition_offset>& positions) override;
  /// Leaves the group (revoking the assignment, see above) and destroys the consumer.
  void stop() override;
  /// "all brokers are down" (until a broker answers again), or no partitions assigned.
  std::string not_ready() const override;
  /// The high watermarks librdkafka last saw in fetch responses (never asks the broker).
  std::vector<partition_offset> log_ends() const override;

  /// The partitions assigned now, ascending.
  std::vector<std::int32_t> assignment() const;
  bool paused() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

namespace sources {

/// A source step reading `config.topic`; its stream is named after the topic.
source_spec<bytes> kafka(kafka::source_config config);

} // namespace sources
} // namespace streams
