#pragma once

#include "streams/graph.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace streams {

/// Where the steps of a pipeline run (the deployment config's `segments` and their nodes).
///
/// A segment is a run of steps: a step named in `segment_of` begins or belongs to that
/// segment, and a step not named is in the segment of the step before it (the pipeline's
/// sources: segment 0). Each segment runs one replica on each of its nodes; a segment
/// without nodes runs in this process.
struct placement {
  std::map<std::string, std::size_t, std::less<>> segment_of;
  /// Per segment, the names of the nodes it runs on.
  std::vector<std::vector<std::string>> nodes;
  /// Set: only this segment's steps run (`streams run --segment-id`), other processes running
  /// the others. Nothing carries messages between those processes, so the segment must
  /// neither read from nor send to another segment.
  std::optional<std::size_t> only_segment;
};

/// How the instances of one step hand messages to the instances of the next.
enum class spread {
  one,          ///< the next step has one instance
  by_partition, ///< each source partition to one instance, so each partition keeps its order
  by_key,       ///< a keyed step: each group-by key to one instance (`key_hash`)
};

/// One actor to run: an instance of a step.
struct plan_instance {
  std::size_t step = 0;    ///< index in the graph
  std::size_t replica = 0; ///< index among the step's instances
  std::size_t segment = 0;
  std::string node; ///< empty: this process
  /// Sources and stateful transforms, which acks come back to: their index among those.
  std::optional<std::uint32_t> ack_index;
};

/// The execution plan of a pipeline: every instance of every step, where it runs, and how
/// the steps' instances connect. Plain data built from a graph and a placement, without
/// an actor system; the local runtime carries it out, and a coordinator spreads it over
/// nodes.
///
/// Instances: a transform runs `parallelism` instances on each node of its segment (at
/// least one node: this process), a source or sink one on each; with `only_segment`, the
/// steps of other segments have none. Acks: every source
/// instance, then every stateful instance (reduce, stateful_map), which tracks the delivery
/// of its own outputs like a source. A step whose outputs cross nodes needs a wire form of
/// its output type (`step_node::output_codec`).
class execution_plan {
public:
  /// Throws `pipeline_error` naming what is wrong with the placement.
  execution_plan(const graph& g, const placement& where = {});

  const graph& pipeline() const { return *g_; }
  const std::vector<plan_instance>& instances() const { return instances_; }
  /// The indices in `instances()` of step `step`'s instances, by replica.
  const std::vector<std::size_t>& instances_of(std::size_t step) const { return of_step_.at(step); }
  /// The instances acks go to, by ack index.
  const std::vector<std::size_t>& ack_targets() const { return ack_targets_; }
  /// The ack targets (by ack index) that stateful instance `n` tells when its last checkpoint,
  /// once every sink has closed, has released its inputs and acknowledged its outputs: every
  /// source, and the stateful instances of the steps `n` hangs off. Each waits for that, and
  /// for every sink, before it ends, so that a source commits what the checkpoint released.
  std::vector<std::uint32_t> closes_to(std::size_t n) const;
  /// How the instances of `e.from` hand messages over the edge to those of `e.to`.
  streams::spread spread_of(const edge& e) const;
  /// The instances that instance `n` (of `e.from`) sends to over `e`: inside a segment, those
  /// of `e.to` on its own node; into another segment, or into a step grouped by key, every
  /// instance of `e.to`, wherever it runs (a key's state lives in the one instance its hash
  /// picks, which is also the one that restores it after a restart).
  std::vector<std::size_t> targets(std::size_t n, const edge& e) const;
  /// How many instances send to instance `n` (of `e.to`) over `e`: the ends of stream it waits for.
  std::size_t feeders(std::size_t n, const edge& e) const;
  /// Whether messages over `e` go from one node to another, encoded (streams/wire.hpp).
  bool crosses_nodes(const edge& e) const;
  std::size_t segment_count() const { return segments_; }
  /// Every node some segment runs on, sorted; empty when everything runs in this process.
  std::vector<std::string> nodes() const;

  /// A step that keeps state across messages: its instances take acks for their outputs.
  static bool stateful(step_kind k) {
    return k == step_kind::reduce || k == step_kind::stateful_map;
  }

private:
  /// Whether each instance of `e.from` feeds only those of `e.to` on its own node (see targets).
  bool node_local(const edge& e) const;
  const graph* g_;
  std::vector<plan_instance> instances_;
  std::vector<std::vector<std::size_t>> of_step_;
  std::vector<std::size_t> ack_targets_;
  std::size_t segments_ = 1;
};

} // namespace streams
