#pragma once

#include "streams/config/metrics_config.hpp"
#include "streams/config/step_settings.hpp"

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace streams::config {

/// `parallelism: {multi_process: {...}}`, Sentry Streams' process pool for a step: here its
/// `processes` become the step's instances (threads of one process, not processes).
struct multi_process_settings {
  std::size_t processes = 1;
  /// The batches Sentry sends to its pool. `batch_size` caps the batches the previous step
  /// sends each instance (`step_node::max_batch_in`); `batch_time`, the longest a message may
  /// wait for its batch to fill, is always met: a batch goes as soon as credit allows.
  std::optional<std::size_t> batch_size;
  std::optional<std::chrono::milliseconds> batch_time; ///< `batch_time`, in seconds
};

/// The settings of one step named in a segment's `steps_config`, with defaults applied.
struct step_config {
  std::string name;
  /// The index of the segment that configures the step.
  std::size_t segment = 0;
  /// How many instances of the step run. Default: the segment's `parallelism`, else 1.
  std::size_t parallelism = 1;
  /// Set when `parallelism` was written as Sentry's `{multi_process: ...}`.
  std::optional<multi_process_settings> multi_process;
  /// Accepted for Sentry Streams' configs; segments are declared by `pipeline.segments`.
  bool starts_segment = false;
  /// Typed by what the step is: a Kafka source gets `kafka_source_settings`, and so on.
  step_settings settings;

  /// The settings as `T`, or nullptr when the step is something else.
  template <class T>
  const T* get() const {
    return std::get_if<T>(&settings);
  }
};

/// One entry of `pipeline.segments`: the steps that run together in one unit.
struct segment_config {
  std::optional<std::size_t> parallelism;
  /// The nodes of `cluster` that each run one replica of the segment; empty: this process.
  std::vector<std::string> nodes;
  std::map<std::string, step_config, std::less<>> steps; ///< by step name
};

/// TLS between the processes of a cluster (PEM files).
struct tls_config {
  std::string certificate;
  std::string key;
  std::string ca_file; ///< the authority whose signature a peer's certificate must bear
};

/// `cluster`: the nodes that segments are placed on (docs/deploy.md). With it `streams run`
/// coordinates those nodes instead of running the pipeline itself.
struct cluster_config {
  std::map<std::string, std::string, std::less<>> nodes; ///< by name: "host:port"
  /// What nodes and the coordinator prove to each other that they know; never logged.
  std::string secret;
  std::chrono::milliseconds heartbeat{500};
  /// A node silent for this long is taken for dead: its segments are placed elsewhere.
  std::chrono::milliseconds node_timeout{3000};
  /// `tls`: connections between nodes go over TLS, each side showing a certificate that
  /// `ca_file` signed; unset: plain TCP.
  std::optional<tls_config> tls;
};

/// `state_changelog`: the Kafka topic that replicates the state (docs/concepts.md).
struct state_changelog_config {
  std::vector<std::string> bootstrap_servers;
  std::optional<std::string> topic; ///< unset: `<pipeline name>-state-changelog`
  std::chrono::milliseconds timeout{30000};
  std::map<std::string, std::string> override_params;
};

/// A deployment config, loaded and checked against a pipeline (load_deployment_config.hpp):
/// which topics and brokers the pipeline's sources and sinks use, how its steps are placed
/// and tuned, and where metrics go. Plain data, safe to copy and to read from any thread.
struct deployment_config {
  /// `env`, free-form: every scalar leaf under its dotted path ("a.b", "list[0]").
  std::map<std::string, std::string> env;
  /// `pipeline.adapter_config.arroyo.write_healthcheck`: the runtime touches a health file
  /// while it is making progress, for liveness probes.
  bool write_healthcheck = false;
  /// `state_dir`: where stateful steps keep their state (the runtime's `state_dir`); unset
  /// leaves the runtime's default.
  std::optional<std::string> state_dir;
  std::optional<state_changelog_config> state_changelog;
  /// `drain_timeout_sec`: how long a stop may take (the runtime's `drain_timeout`); unset
  /// leaves the runtime's default.
  std::optional<std::chrono::milliseconds> drain_timeout;
  std::vector<segment_config> segments;
  metrics_config metrics;
  std::optional<cluster_config> cluster;

  /// The settings of the step `name`, or nullptr when no segment configures it (then the
  /// step runs as the pipeline built it). Every Kafka source and sink is configured.
  const step_config* step(std::string_view name) const;

  /// The typed settings of step `name`, or nullptr when it is unconfigured or not a `T`.
  template <class T>
  const T* settings(std::string_view name) const {
    auto s = step(name);
    return s ? s->get<T>() : nullptr;
  }
};

} // namespace streams::config
