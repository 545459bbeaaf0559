#pragma once

#include "streams/actors/run_error.hpp"
#include "streams/execution_plan.hpp"
#include "streams/graph.hpp"
#include "streams/metrics/health.hpp"
#include "streams/metrics/metrics_registry.hpp"
#include "streams/state/state_store.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace streams {

class pipeline;

/// How the local runtime executes a pipeline.
struct runtime_options {
  /// Messages one step may have in flight towards the next (sent, not yet consumed).
  std::size_t credit = 2048;
  /// Messages a sink may hold written but not yet reported (delivered or failed) before it
  /// stops granting its upstream credit. Asynchronous sinks need far more than `credit`: a
  /// Kafka producer reports a batch only once the broker has acknowledged it, 5-40 ms after
  /// it was written, and a Kafka sink held to 2048 stalled at ~0.3 M msg/s (tools/bench).
  std::size_t sink_backlog = 65536;
  /// The largest batch one actor sends another.
  std::size_t max_batch = 512;
  /// How often sources commit what is done (also on revocation and on stop), and how often
  /// stateful steps make their state durable (which lets their inputs be committed).
  std::chrono::milliseconds commit_interval{1000};
  /// A step whose user code throws (other than `invalid_message`) is restarted; more than
  /// `max_restarts` restarts within `restart_window` stop the pipeline with an error.
  std::size_t max_restarts = 3;
  std::chrono::milliseconds restart_window{60000};
  /// What becomes of invalid messages, for sources whose graph step sets no `on_invalid`:
  /// by default the pipeline stops, naming the step, partition and offset, as Sentry Streams'.
  invalid_policy on_invalid;
  /// Where invalid messages go under `on_invalid::dead_letter`; by default JSON lines on
  /// standard error.
  sink_factory dead_letters;
  /// Where stateful steps keep their state: an LMDB environment in `state_dir`/<pipeline
  /// name>, or the process's memory (not durable) when it is ":memory:".
  std::string state_dir = "streams-state";
  /// When set, wraps the state store when it opens, with the run's `state_generation`: a
  /// replica elsewhere, such as a Kafka changelog (streams/kafka/state_changelog.hpp), from
  /// which a store opened on another machine restores the state.
  std::function<std::unique_ptr<state_store>(std::unique_ptr<state_store> local,
                                             std::uint64_t generation)>
      replicate_state;
  /// Which run this is, for fencing a replaced run's writes to the replica: a cluster's
  /// coordinator numbers its deployments; 0, a process on its own, never fences.
  std::uint64_t state_generation = 0;
  /// Worker threads of the actor system; 0 means one per core.
  std::size_t threads = 0;
  /// Drain and stop on SIGINT/SIGTERM.
  bool stop_on_signals = false;
  /// How long a drain (`stop`, a signal) may take: past it the pipeline fails (its sinks'
  /// undelivered messages are abandoned and nothing past what was delivered is committed).
  std::chrono::milliseconds drain_timeout{20000};
  /// Every `health_interval` the supervisor probes every actor: each answers and refreshes its
  /// health (a source's partitions, a connector's readiness) and metrics. An actor that has
  /// not answered for `stall_timeout` (blocked in a call) makes the pipeline not live.
  std::chrono::milliseconds health_interval{1000};
  std::chrono::milliseconds stall_timeout{30000};
  /// When set, this file is touched after each probe while the pipeline is live (making
  /// progress, or idle with nothing to do), for liveness probes (Sentry Streams'
  /// `write_healthcheck`): a step stuck in a call stops the touches.
  std::string health_file;
  /// The pipeline's segments, and with `only_segment` the one to run (`streams run
  /// --segment-id`); by default every step runs. Segments' nodes are for a cluster (net/):
  /// this runtime refuses them.
  placement where;
};

/// What one step did during a run.
struct step_stats {
  std::string name;
  std::uint64_t messages_in = 0;
  std::uint64_t messages_out = 0;
  std::uint64_t dropped = 0; ///< dropped on purpose (filters)
  std::uint64_t invalid = 0; ///< invalid messages (late data too), whatever became of them
  std::uint64_t restarts = 0;
  std::size_t instances = 1; ///< how many instances of the step ran (its parallelism)
  /// Most messages received but not yet consumed (by any one instance); for a source, most
  /// offsets handed out and not yet done (delivered or dropped) anywhere downstream.
  std::size_t max_in_flight = 0;
};

/// Adds `s` to `steps`: to the entry of the same step (another instance of it), summed, or
/// as a new entry.
void merge_into(std::vector<step_stats>& steps, const step_stats& s);

/// The outcome of a run: `ok` unless the pipeline failed, then `failure` says why and where,
/// typed by the layer that raised it (`kafka.unreachable`, `runtime.restart_limit`, ...).
struct run_result {
  bool ok = true;
  std::optional<error> failure;
  std::vector<step_stats> steps;

  const step_stats* find(const std::string& step) const;
};

/// Runs a pipeline on the actors of one process (DESIGN.md ideas 1-5): one actor per step,
/// batches between them, credit-based backpressure, exact commits, a supervisor that
/// restarts failing steps and routes invalid messages to the dead-letter sink.
///
/// `start` returns at once; `wait` blocks until every finite source is exhausted and all
/// it produced is done, or until `stop` (or a signal, when asked for) has drained the
/// pipeline. Thread-safe: `stop` may be called from any thread.
class runtime {
public:
  explicit runtime(const graph& g, runtime_options opts = {});
  ~runtime();
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  /// Validates the graph (throws `pipeline_error`) and starts every step.
  void start();
  /// Asks the sources to stop; what is in flight is finished and committed.
  void stop();
  run_result wait();

  /// The pipeline's live metrics, from `start` on, updated as it runs; thread-safe to read
  /// (exporters do, from threads of their own) until the runtime is destroyed.
  const metrics::metrics_registry& metrics() const;
  /// Liveness (nothing stuck) and readiness (sources and sinks can work), as of the latest
  /// probe; thread-safe, from `start` on.
  metrics::health_check liveness() const;
  metrics::health_check readiness() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Starts, waits and returns the result.
run_result run(const pipeline& p, runtime_options opts = {});

} // namespace streams
