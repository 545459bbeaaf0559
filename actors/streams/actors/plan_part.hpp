#pragma once

// The share of an execution plan that one actor system carries out: all of it in the local
// runtime, one node's instances on a cluster (net/). Unlike runtime.hpp this header includes
// CAF: it is for actors/ and net/ only.

#include "streams/actors/runtime.hpp"
#include "streams/execution_plan.hpp"
#include "streams/lineage.hpp"
#include "streams/origin_ranges.hpp"

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

namespace streams {

// What crosses nodes (announced by `announce_types`).
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, origin& x) {
  return f(caf::meta::type_name("origin"), x.source, x.partition, x.offset, x.weight);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, origin_range& x) {
  return f(caf::meta::type_name("origin_range"), x.source, x.partition, x.first, x.count, x.weight);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, step_stats& x) {
  return f(caf::meta::type_name("step_stats"), x.name, x.messages_in, x.messages_out, x.dropped,
           x.invalid, x.restarts, x.instances, x.max_in_flight);
}

} // namespace streams

namespace streams::actors {

/// Announces the types that the actors of one pipeline send each other across nodes (acks as
/// offset ranges, invalid origins, statistics; batches cross as strings). Every node of a cluster
/// must do the same.
void announce_types(caf::actor_system_config& cfg);

/// The instances of `plan` placed on one node, and their supervisor. In three steps, so that
/// the parts of a cluster can exchange handles in between: construct (connectors made, state
/// opened: a bad file or setting throws here), `spawn`, then `wire` with every instance's
/// handle, after which `start` starts the sources. Sources stop on `stop` (a drain) or
/// `abort`; `result` becomes ready once every actor of the part has ended.
class plan_part {
public:
  /// `node` is the name instances are placed on (`plan_instance::node`), "" in one process.
  plan_part(const execution_plan& plan, std::string node, runtime_options options);
  ~plan_part();
  plan_part(const plan_part&) = delete;
  plan_part& operator=(const plan_part&) = delete;

  /// Spawns the part's actors in `sys`: the handle of each instance of the plan, by index in
  /// `plan.instances()`, invalid for those placed elsewhere.
  std::vector<caf::actor> spawn(caf::actor_system& sys);
  /// Gives the part's actors every instance's handle (`all`, by instance: those of other
  /// nodes are remote) and starts supervising them. `parts` is how many parts carry out the
  /// plan: each has a dead-letter actor, which the sources wait for like a sink.
  void wire(const std::vector<caf::actor>& all, std::size_t parts);
  void start();
  /// Asks the sources to stop; what is in flight is finished and committed.
  void stop();
  /// Stops at once, committing only what is done, and fails with `reason`.
  void abort(const error& reason);
  std::future<run_result>& result();
  /// Waits until every actor of the part has ended (at most `limit`; false past it). The
  /// result is ready before sources have finished closing: join before destroying the part
  /// when the actor system outlives it.
  bool join(std::chrono::milliseconds limit);

  const metrics::metrics_registry& metrics() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace streams::actors
