#pragma once

// The harness's own Kafka clients (librdkafka's C API, independent of streams::kafka): they
// fill input topics before a run and read output topics during and after it.

#include "bench_util.hpp"

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace streams::bench {

using properties = std::vector<std::pair<std::string, std::string>>;

struct client_deleter {
  void operator()(rd_kafka_t* rk) const;
};
/// A librdkafka client; a consumer is closed (leaving its group) before it is destroyed.
using client_ptr = std::unique_ptr<rd_kafka_t, client_deleter>;

/// A producer or consumer with `props` (plus quiet logging); fails the benchmark on a bad one.
/// `opaque` is handed to callbacks set through `configure`.
client_ptr make_client(rd_kafka_type_t type, const properties& props, void* opaque = nullptr,
                       const std::function<void(rd_kafka_conf_t*)>& configure = {});

/// Fills in the key and value of record `i`.
using record_maker = std::function<void(std::size_t i, std::string& key, std::string& value)>;

/// Produces records 0 .. count-1 to `topic` (partitioned by key), waits for every delivery
/// report, and fails the benchmark unless all were delivered.
void produce_all(const std::string& bootstrap, const std::string& topic, std::size_t count,
                 const record_maker& make);

/// A plain loop's work on one record: fills `out` with the value to produce (with the record's
/// key), or returns false to produce nothing.
using record_transform = std::function<bool(const rd_kafka_message_t& in, std::string& out)>;

/// The plain librdkafka loop the pipelines are compared with, on the calling thread: consumes
/// `in` as a fresh group in batches of 512 and produces each record `transform` keeps to `out`
/// (idempotent, copying the value), until `count` were consumed (or `stop` is set), then
/// flushes. Messages/s from the first consumed to the last delivered. `consumer_props` are
/// added to the consumer's settings (those of the pipeline's Kafka source that matter).
double plain_loop(const std::string& bootstrap, const std::string& in, const std::string& out,
                  std::size_t count, const record_transform& transform,
                  const std::atomic<bool>* stop = nullptr, const properties& consumer_props = {});

/// Called for every record read, with the time it was read.
using record_handler = std::function<void(const rd_kafka_message_t& m, clock::time_point read)>;

/// Reads what `topic` holds now, from the first offset to the high watermark of each of its
/// `partitions`, and returns how many records that was. Fails the benchmark when the broker
/// has dropped the oldest records of a partition (the embedded broker keeps ~5 MB of each).
std::size_t read_all(const std::string& bootstrap, const std::string& topic, int partitions,
                     const record_handler& on_record);

/// Reads `topic` from its first offset on a thread of its own, while something else writes
/// it, handing every record to `on_record` on that thread (no consumer group: assigned).
class topic_reader {
public:
  topic_reader(const std::string& bootstrap, const std::string& topic, int partitions,
               record_handler on_record);
  ~topic_reader();
  topic_reader(const topic_reader&) = delete;
  topic_reader& operator=(const topic_reader&) = delete;

  std::size_t count() const { return count_.load(); }
  /// True once at least `n` records were read; false when `timeout` passed first.
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout) const;
  /// When the first and the latest record were read.
  clock::time_point first() const;
  clock::time_point last() const;
  /// Reads until now, then stops the thread.
  void stop();

private:
  void run(client_ptr consumer);

  record_handler on_record_;
  std::atomic<std::size_t> count_{0};
  std::atomic<bool> stop_{false};
  std::atomic<clock::rep> first_{0}, last_{0};
  std::thread thread_;
};

} // namespace streams::bench
