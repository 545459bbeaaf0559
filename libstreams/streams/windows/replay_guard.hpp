#pragma once

#include "streams/lineage.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace streams {

class state_store;
class write_batch;

/// Keeps a stateful step from folding a message twice after a restart.
///
/// A stateful step's inputs count as done once the state holding them is durable, but the
/// source commits them later, so a restarted pipeline replays some messages the state already
/// holds. Each instance records, with its state, how far it has folded each source partition:
/// the last offset and how many pieces of it (a flat_map upstream makes several messages of
/// one offset, each instance seeing its own in order). A replayed message is skipped when the
/// instance that owned its key then (key hash mod that run's parallelism) had folded it, so a
/// restart with another parallelism still folds each message once.
class replay_guard {
public:
  replay_guard() = default;
  replay_guard(std::string step, std::size_t instance, std::size_t instances)
      : step_(std::move(step)), instance_(instance), instances_(instances) {}

  /// Reads the marks every earlier run of the step left.
  void load(const state_store& store);
  /// True when every origin of a message whose key hashes to `key_hash` was folded before.
  bool seen(const lineage& l, std::uint64_t key_hash);
  /// This instance folded (or rejected) a message with lineage `l`.
  void fold(const lineage& l);
  /// Adds this instance's marks to `batch`.
  void save(write_batch& batch) const;

private:
  struct mark {
    std::int64_t offset = -1;
    std::uint32_t pieces = 0;
  };
  using partition_id = std::pair<std::uint32_t, std::int32_t>;
  using marks = std::map<partition_id, mark>;
  std::string key(std::size_t instances, std::size_t instance) const;

  std::string step_;
  std::size_t instance_ = 0;
  std::size_t instances_ = 1;
  /// Earlier runs' marks by (parallelism, instance); this instance's own are `own_`.
  std::map<std::pair<std::uint32_t, std::uint32_t>, marks> earlier_;
  marks own_;
  /// Per earlier run's instance and partition, pieces of the current offset met while replaying.
  std::map<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t, std::int32_t>, mark> replayed_;
};

} // namespace streams
