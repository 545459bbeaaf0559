#pragma once

// The messages the runtime's actors exchange. Internal to actors/: CAF stays out of the
// public headers.

#include "streams/actors/plan_part.hpp"
#include "streams/actors/runtime.hpp"
#include "streams/message.hpp"
#include "streams/origin_ranges.hpp"

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace streams::actors {

using batch = std::vector<message>;
using origins = std::vector<origin>;
using done_ranges = std::vector<origin_range>;

// downstream-bound
using batch_atom = caf::atom_constant<caf::atom("batch")>; // (batch)
using eos_atom = caf::atom_constant<caf::atom("eos")>;     // (exhausted) the upstream has ended
using dead_atom = caf::atom_constant<caf::atom("dead")>;   // (message) for the dead-letter sink
// (origins) to a source: invalid messages sent to the dead letters, counted against its limits
using invalid_atom = caf::atom_constant<caf::atom("invalid")>;
// upstream-bound
using credit_atom = caf::atom_constant<caf::atom("credit")>; // (port, n) n more messages may come
using ack_atom = caf::atom_constant<caf::atom("ack")>;       // (done_ranges) delivered or dropped
using closed_atom = caf::atom_constant<caf::atom("closed")>; // a sink has delivered all it will
// control
using wire_atom = caf::atom_constant<caf::atom("wire")>; // (wiring)
using start_atom = caf::atom_constant<caf::atom("start")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;   // drain and stop
using abort_atom = caf::atom_constant<caf::atom("abort")>; // commit what is done, quit now
using poll_atom = caf::atom_constant<caf::atom("poll")>;
using wake_atom = caf::atom_constant<caf::atom("wake")>; // a source/sink has work ready
using pump_atom = caf::atom_constant<caf::atom("pump")>; // a transform goes on with its input
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using commit_atom = caf::atom_constant<caf::atom("commit")>;
using checkpoint_atom = caf::atom_constant<caf::atom("checkpt")>; // a stateful step saves state
// to stateful steps, from a source whose partitions are being revoked: checkpoint now
using settle_atom = caf::atom_constant<caf::atom("settle")>;
// (source index, partitions) to stateful steps: a source's partitions were revoked / assigned
using revoked_atom = caf::atom_constant<caf::atom("revoked")>;
using assigned_atom = caf::atom_constant<caf::atom("assigned")>;
using done_atom = caf::atom_constant<caf::atom("done")>;     // (step_stats) an actor finished
using failed_atom = caf::atom_constant<caf::atom("failed")>; // (error) the pipeline must stop
using probe_atom = caf::atom_constant<caf::atom("probe")>;   // answer: stamp health and metrics

/// Who an actor talks to; sent once by the supervisor before anything starts. A step may
/// run as several instances (its parallelism): each is an actor with a wiring of its own.
struct wiring {
  std::uint32_t upstream_port = 0; ///< the output port of the previous step this actor hangs off
  /// Per output port, the instances of the step on it. Credit comes back from each of them.
  std::vector<std::vector<caf::actor>> downstream;
  /// Where acks go, by the origin's source index: every source, then every instance of a
  /// stateful step (which tracks the delivery of its own outputs).
  std::vector<caf::actor> sources;
  caf::actor dead_letters;
  caf::actor supervisor;
  /// The source this actor's messages derive from (each step has exactly one), its index in
  /// `sources` and what becomes of the invalid messages the actor meets.
  std::uint32_t source = 0;
  std::string source_name;
  invalid_policy on_invalid;
  std::size_t upstream_count = 1; ///< how many end-of-streams to wait for: upstream instances
  /// Sources and stateful steps: how many `closed` to wait for before ending (every sink,
  /// and the stateful instances that `closes_to` them: execution_plan::closes_to).
  std::size_t closers = 0;
  /// Stateful steps: whom to tell `closed` after the last checkpoint.
  std::vector<caf::actor> closes_to;
  /// Sources: the stateful instances that close to them, told when partitions are revoked
  /// and assigned.
  std::vector<caf::actor> stateful;
  /// Per output port, the group-by key of the next step when it is keyed and runs several
  /// instances: messages go to the instance their key hashes to.
  std::vector<std::function<std::string(const message&)>> downstream_keys;
  /// Per output port, the most messages to send its instances at once (the next step's
  /// `max_batch_in`); 0: the runtime's max_batch.
  std::vector<std::size_t> downstream_max_batch;
};

} // namespace streams::actors

// What stays in one process. Batches cross nodes encoded (`batch_atom` with a std::string).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(streams::actors::batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(streams::message)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(streams::actors::wiring)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(streams::error)
