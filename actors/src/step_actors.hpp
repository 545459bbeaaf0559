#pragma once

// The actors that execute a pipeline's steps, and what the supervisor gives each one.

#include "messages.hpp"

#include "streams/graph.hpp"
#include "streams/metrics/metrics_registry.hpp"

#include <caf/fwd.hpp>

#include <memory>
#include <string>

namespace streams::actors {

/// Everything a step actor needs besides its wiring. Built (and its connector opened) by
/// the runtime before any actor starts, so that a bad file or config fails `start()`.
struct step_setup {
  std::string name;
  /// Sources, and stateful transforms (for their own outputs): the index acks come back under.
  std::uint32_t source_index = 0;
  /// Stateful transforms: the partition their outputs' origins name, this run's number
  /// (`next_run`), as they number their outputs from 1 in every run.
  std::int32_t output_run = 0;
  std::unique_ptr<source> src;
  std::unique_ptr<sink> snk;
  std::unique_ptr<step_operator> op;
  operator_factory make_operator; ///< to restart a failed transform
  /// The wire forms of what the step sends and receives, for batches that cross nodes; null
  /// when the type has none (then the plan keeps the step's edges inside a node).
  const payload_codec* output_codec = nullptr;
  const payload_codec* input_codec = nullptr;
  runtime_options options;
  /// This actor's instruments, in the runtime's registry (which outlives the actor).
  metrics::step_metrics* metrics = nullptr;
};

/// The size of a `bytes` payload (what the bytes metrics count); 0 for other payloads.
inline std::uint64_t payload_bytes(const message& m) {
  auto b = m.payload_if<bytes>();
  return b ? b->size() : 0;
}
inline std::uint64_t payload_bytes(const batch& b) {
  std::uint64_t n = 0;
  for (auto& m : b)
    n += payload_bytes(m);
  return n;
}

using setup_ptr = std::shared_ptr<step_setup>;

caf::actor spawn_source(caf::actor_system& sys, setup_ptr setup);
caf::actor spawn_transform(caf::actor_system& sys, setup_ptr setup);
caf::actor spawn_sink(caf::actor_system& sys, setup_ptr setup);

/// A waker (see streams/waker.hpp) that sends `wake` to `self` without keeping it alive.
waker waker_for(caf::event_based_actor* self);

/// Hands back what is done, grouped per source so that each source gets one message, as
/// ranges: consecutive offsets done together cost one entry.
class ack_buffer {
public:
  void add(const lineage& l) {
    for (auto& o : l.origins())
      of(o.source).add(o);
  }
  void add(const origin_ranges& r) {
    for (auto& x : r.ranges())
      of(x.source).add(x);
  }
  /// Sends what has gathered to the sources, from `self`.
  void flush(caf::event_based_actor* self, const std::vector<caf::actor>& sources);

private:
  origin_ranges& of(std::uint32_t source) {
    if (source >= pending_.size())
      pending_.resize(source + 1);
    return pending_[source];
  }

  std::vector<origin_ranges> pending_;
};

/// `e` as a `streams::error`: itself when it is one (a `kafka_error` keeps its code), else
/// `otherwise` with its text.
error error_of(const std::exception& e, runtime_errc otherwise);

/// Tells the supervisor that the pipeline must stop because of `e`, its text prefixed with
/// who met it ("source 'in'").
void report_failure(caf::event_based_actor* self, const wiring& w, const std::string& who,
                    const error& e);

/// A message `step` rejected as invalid, handled as its source's `on_invalid` says: dropped
/// (its origins added to `acks`), or sent to the dead-letter actor (the source told, for its
/// limits). Returns why the pipeline must stop instead, or "".
std::string handle_invalid(caf::event_based_actor* self, const wiring& w, const step_setup& step,
                           message m, const std::string& reason, ack_buffer& acks);

} // namespace streams::actors
