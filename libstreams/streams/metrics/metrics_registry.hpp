#pragma once

#include "streams/metrics/instruments.hpp"

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace streams::metrics {

/// What a step's actor is, for the metrics it reports.
enum class step_role { source, transform, sink, dead_letters };

/// A source partition's position: the offset committed and the end of the partition's log
/// (the high watermark) as the consumer last saw it; -1 while unknown.
struct partition_position {
  std::int32_t partition = 0;
  std::int64_t committed = -1; ///< the position this run last committed
  std::int64_t lag_base = -1;  ///< what lag counts from: `committed`, else where the run resumed
  std::int64_t high_watermark = -1;
};

/// Milliseconds on the steady clock, the time base of `answered_ms` and `heartbeat_ms`.
std::int64_t steady_ms();

/// The instruments of one actor (one instance of a step). Created before the pipeline starts;
/// the counters and histograms are written by that actor only, and read by any thread.
/// Aligned to a cache line, so that two actors never write to the same one.
struct alignas(64) step_metrics {
  step_metrics(std::string step_name, step_role r) : step(std::move(step_name)), role(r) {}
  step_metrics(const step_metrics&) = delete;
  step_metrics& operator=(const step_metrics&) = delete;

  const std::string step;
  const step_role role;

  counter messages_in;
  counter bytes_in; ///< of `bytes` payloads (what sources, serializers and sinks carry)
  counter messages_out;
  counter bytes_out;
  counter errors;  ///< invalid messages (to the dead-letter sink) and exceptions
  counter dropped; ///< dropped on purpose (filters)
  counter restarts;
  counter backpressure_ns;  ///< time with outputs ready and no credit to send them
  gauge in_flight;          ///< received and not yet consumed; sources: offsets not yet done
  histogram duration;       ///< transforms: processing time per message
  histogram latency;        ///< sinks: when written, now minus the source message's timestamp
  histogram commit_latency; ///< sources: from sending a commit to its answer

  // -- liveness and readiness: refreshed whenever the supervisor probes the actor --------

  gauge answered_ms;              ///< when the actor last answered a probe (steady_ms)
  std::atomic<bool> ended{false}; ///< the actor has finished: it answers no more probes

  /// Why the step's connector is not ready (empty when it is).
  void set_not_ready(std::string why);
  std::string not_ready() const;
  /// Sources: the positions of the partitions assigned now.
  void set_partitions(std::vector<partition_position> p);
  std::vector<partition_position> partitions() const;

private:
  mutable std::mutex mutex_;
  std::string not_ready_;
  std::vector<partition_position> partitions_;
};

/// One value to export: a name in Sentry Streams' dotted form, its tags, and a number or a
/// histogram.
struct sample {
  enum kind_t { counter, gauge, histogram };
  std::string name;
  kind_t kind = counter;
  std::vector<std::pair<std::string, std::string>> tags;
  double value = 0;
  histogram::snapshot buckets; ///< for histograms
};

/// The instruments of a running pipeline: one `step_metrics` per actor, made by the runtime
/// before any actor runs (after that the set of steps does not change, so readers need no
/// lock), read by exporters and the health checks from their own threads.
class metrics_registry {
public:
  explicit metrics_registry(std::string pipeline) : pipeline_(std::move(pipeline)) {}

  const std::string& pipeline() const { return pipeline_; }
  /// Adds an actor's instruments; only before the pipeline starts.
  step_metrics& add(std::string step, step_role role);
  const std::deque<step_metrics>& steps() const { return steps_; }
  std::deque<step_metrics>& steps() { return steps_; }

  /// Stamped by the supervisor on each probe: the actor system answers.
  gauge heartbeat_ms;
  /// Between the sources' start and the pipeline's end.
  std::atomic<bool> running{false};

  /// Everything, one sample per step (its instances summed) and per source partition, with
  /// the tags `pipeline` and `step` (and `partition`).
  std::vector<sample> collect() const;

private:
  std::string pipeline_;
  std::deque<step_metrics> steps_; // a deque: adding one does not move the others
};

} // namespace streams::metrics
