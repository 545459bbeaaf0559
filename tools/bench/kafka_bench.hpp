#pragma once

// What the Kafka benchmark shares with the cluster benchmark (cluster_bench.cpp): its records,
// its pipeline and the check of its output topic.

#include "kafka_clients.hpp"

#include "streams/pipeline.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace streams::bench {

/// The input and output topics' partitions.
constexpr int partitions = 4;

/// Throughput records: key "i", value "%010zu-" then lower-case letters up to 100 bytes.
void make_record(std::size_t i, std::string& key, std::string& value);

/// Reads `topic` back and fails unless it holds each of records 0 .. count-1 exactly once,
/// with its key, transformed (upper-cased); `side` names who wrote it.
void check_output(const std::string& bootstrap, const std::string& topic, std::size_t count,
                  const char* side);

/// Where the pipeline side's timing comes from: its source notes when the first record came,
/// its sink when the `target`-th delivery report did. A source with a target ends once it has
/// read that many records, so that a run ends by itself (0: never).
struct probe {
  std::size_t target = 0;
  std::mutex mutex;
  std::condition_variable cv;
  std::optional<clock::time_point> first, last;
  std::size_t delivered = 0; // only touched by the sink's actor

  void note_first() {
    std::lock_guard<std::mutex> lock(mutex);
    if (!first)
      first = clock::now();
  }
  void note_delivered() {
    if (++delivered != target)
      return;
    std::lock_guard<std::mutex> lock(mutex);
    last = clock::now();
    cv.notify_all();
  }
  bool wait(std::chrono::seconds timeout) {
    std::unique_lock<std::mutex> lock(mutex);
    return cv.wait_for(lock, timeout, [&] { return last.has_value(); });
  }
};

/// The pipeline of the Kafka benchmark ("input" -> "upper" -> "output"), built like an
/// application would build it, from `in` to `out` as a fresh consumer group; `p` times it.
std::unique_ptr<pipeline> make_pipeline(const std::string& bootstrap, const std::string& in,
                                        const std::string& out, probe& p,
                                        const properties& source_props = {});

} // namespace streams::bench
