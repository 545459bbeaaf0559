#pragma once

#include "messages.hpp"

#include "streams/metrics/metrics_registry.hpp"

#include <caf/fwd.hpp>

#include <future>
#include <memory>
#include <string>
#include <vector>

namespace streams::actors {

/// One step actor as the supervisor knows it.
struct managed_actor {
  std::string step;
  caf::actor handle;
  wiring w;
  bool is_source = false;
};

/// Spawns the supervisor of a running pipeline: it wires the step actors, starts the sources
/// when it gets `start`, collects
/// their statistics, stops them on request (drain) or on failure (abort), and fulfils
/// `result` when the pipeline has ended. Every `health_interval` it probes the actors (which
/// refresh their health in `metrics`) and touches the health file while they all answer.
caf::actor spawn_supervisor(caf::actor_system& sys, std::vector<managed_actor> actors,
                            const runtime_options& options, metrics::metrics_registry& metrics,
                            std::shared_ptr<std::promise<run_result>> result);

} // namespace streams::actors
