#pragma once

#include "streams/actors/runtime.hpp"
#include "streams/config/deployment_config.hpp"
#include "streams/execution_plan.hpp"
#include "streams/graph.hpp"

#include <memory>
#include <string>
#include <vector>

namespace streams::kafka {
class embedded_broker;
} // namespace streams::kafka

namespace streams::deploy {

/// What binding a deployment config to a pipeline produced besides the changed graph.
struct binding {
  /// Started when a step's `bootstrap_servers` is `[embedded]`: one broker for the process.
  std::shared_ptr<kafka::embedded_broker> broker;
  /// Where invalid messages go: each Kafka source's `dlq` topic, else the log.
  sink_factory dead_letters;
  /// Things the user should read in the log (settings accepted but not acted on yet).
  std::vector<std::string> notes;
};

/// Binds `g`'s steps to `cfg` (loaded and checked against `g` already): Kafka sources and
/// sinks get their brokers, topics, groups and properties, DevNull sinks their batch and sleep
/// settings, batch steps their size and time, sources their `on_invalid`. Sets the runtime
/// options the config decides (dead letters, drain timeout, health file, state directory).
binding bind_config(graph& g, const config::deployment_config& cfg, runtime_options& options);

/// Where the config places the steps: the segment of each step its segments configure, and
/// each segment's `nodes`.
placement placement_of(const config::deployment_config& cfg);

} // namespace streams::deploy
