#pragma once

#include "streams/state/state_store.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace streams::kafka {

/// Where a state store's changes are replicated: partition 0 of a Kafka topic (one order for
/// the whole log), which a store opened on another machine reads back. Plain data.
struct changelog_config {
  /// "host:port,host:port".
  std::string bootstrap_servers;
  /// The topic. It must exist (brokers that create topics on first use create it) and keep
  /// its records: a reader needs every record since its local copy last read the log, a new
  /// machine every record (retention.ms=-1; the log is not compacted).
  std::string topic;
  /// Which run writes, for fencing: once the log holds a record of a higher generation,
  /// readers ignore every later record of a lower one, so that a process that was replaced
  /// while frozen and resumes cannot change the state of the run that replaced it. A
  /// cluster's coordinator numbers its deployments; 0, a process on its own, never fences and
  /// is never fenced.
  std::uint64_t generation = 0;
  /// How long opening (reading the log) and each write (its delivery) may wait for brokers.
  std::chrono::milliseconds timeout{30000};
  /// Any librdkafka property (security settings, ...) for the producer and the reader.
  std::map<std::string, std::string> override_params;
};

/// `local`, replicated: every write is appended to the changelog and acknowledged by the
/// brokers (acks=all) before `local` applies it, and opening first applies to `local` what
/// the log holds that `local` has not seen (every other writer's changes since it last read
/// the log; everything for an empty one). Several processes may share one changelog when
/// their keys are apart (docs/concepts.md, "State follows keys"). Reads go to `local`.
///
/// Throws `state_error` naming the topic when the log cannot be read or written within
/// `timeout`, the topic is missing, or records `local` has not seen are gone (retention).
std::unique_ptr<state_store> replicate_to_changelog(std::unique_ptr<state_store> local,
                                                    changelog_config config);

} // namespace streams::kafka
