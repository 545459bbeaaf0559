#pragma once

// A pipeline spread over nodes (docs/deploy.md): `streams node` processes that each run their
// share of the execution plan, and a coordinator (`streams run` with a `cluster` config) that
// places, wires, starts, supervises and stops them over CAF's middleman. CAF stays inside
// net/: this header does not include it.

#include "streams/actors/runtime.hpp"
#include "streams/config/deployment_config.hpp"
#include "streams/execution_plan.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace streams::net {

/// What a coordinator asks a node to run: the app and config every node loads alike (same
/// paths on every node), and where each segment runs in this attempt.
struct deploy_request {
  std::string app;
  std::string config;
  std::string name; ///< the pipeline's name; empty: the app's
  /// Per segment, the nodes running one replica of it (the config's, less lost nodes).
  std::vector<std::vector<std::string>> placement;
  /// Every node's listening address, so that nodes connect to each other directly.
  std::map<std::string, std::string> addresses;
  /// Counts the coordinator's attempts: a node ignores orders of an attempt it is not in.
  std::uint64_t attempt = 0;
  /// Orders deployments for the state changelog's fencing (runtime_options::state_generation):
  /// the coordinator's clock in microseconds when it deployed, above any earlier attempt's, so
  /// that a coordinator that takes over also fences the runs before it.
  std::uint64_t generation = 0;
  /// The names of the pipeline's steps as the coordinator loaded it: a node whose app builds
  /// another pipeline (another app, config or environment) refuses to run it.
  std::vector<std::string> steps;
};

/// A loaded app under its deployment config: what the coordinator plans with and each node
/// runs. `owner` keeps alive whatever the graph's steps need (the app, the embedded broker).
struct loaded_pipeline {
  std::shared_ptr<void> owner;
  const graph* g = nullptr;
  runtime_options options;
  /// The config's segments (`segment_of`) and nodes.
  placement where;
};

/// Loads `r.app` with `r.config` (throws what loading throws); the CLI gives one.
using pipeline_loader = std::function<loaded_pipeline(const deploy_request& r)>;

struct node_options {
  std::string name;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string secret;
  /// Where the node's stateful steps keep their state (runtime_options::state_dir).
  std::string data_dir = "streams-state";
  std::chrono::milliseconds heartbeat{500};
  std::chrono::milliseconds node_timeout{3000};
  /// TLS on every connection, as the cluster config's `tls` says (the same files).
  std::optional<config::tls_config> tls;
};

/// Runs a node until SIGINT/SIGTERM: listens on `host:port` for a coordinator that proves it
/// knows the secret, and runs the share of each plan it is given. Returns the exit code.
int run_node(const node_options& options, const pipeline_loader& load);

/// Runs the pipeline of `request`, which the caller loaded as `pipeline` (for the plan), on the
/// cluster's nodes until its sources end or SIGINT/SIGTERM drains it; a node lost on the way
/// restarts the pipeline on the nodes left (giving up after `max_losses` such restarts), and
/// a lost node that comes back is used again. Leaves its actor system running (coordinator.cpp
/// says why): end the process once the result is reported, as `streams run` does.
run_result coordinate(deploy_request request, const loaded_pipeline& pipeline,
                      const config::cluster_config& cluster, std::size_t max_losses = 4);

} // namespace streams::net
