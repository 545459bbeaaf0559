#pragma once

#include "streams/lineage.hpp"
#include "streams/windows/watermark_tracker.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
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
  /// A source partition: the source's index in the pipeline, and the partition.
  using partition_id = std::pair<std::uint32_t, std::int32_t>;

  replay_guard() = default;
  replay_guard(std::string step, std::size_t instance, std::size_t instances)
      : step_(std::move(step)), instance_(instance), instances_(instances) {}

  /// Reads the marks every earlier run of the step left, and those other processes wrote
  /// since (after `state_store::catch_up`): this instance's own marks only grow.
  void load(const state_store& store);
  /// True when `l` comes from a partition this instance has not met since it opened: the step
  /// adopts the partition (its state may have been written by another process) before
  /// folding its messages.
  bool meets_new_partition(const lineage& l);
  /// The same for one partition (its source assigned it to this process).
  bool meets_new_partition(partition_id p);
  /// Whether this instance has met `p` since it opened (or since it was last `forget`ten).
  bool met(partition_id p) const { return met_.count(p) > 0; }
  /// The partitions went to another process: when they come back, they are met anew. When
  /// `settled` (every message of them bound for this instance had come), the last offset this
  /// instance folded of each is whole: its pieces met again are replayed ones, not yet to come.
  void forget(std::uint32_t source, const std::vector<std::int32_t>& partitions, bool settled);
  /// Has `store` catch up with other processes (`state_store::catch_up`); when anything came
  /// in since this instance last looked, reads the marks again and returns true: the step
  /// then reads again the state it has not changed since its last checkpoint.
  bool catch_up(state_store& store);
  /// True when every origin of a message whose key hashes to `key_hash` was folded before: by
  /// this instance since it opened (met again after a rebalance), or by the instance that
  /// owned the key in an earlier run or another process.
  bool seen(const lineage& l, std::uint64_t key_hash);
  /// This instance folded (or rejected) a message with lineage `l`.
  void fold(const lineage& l);
  /// Adds to `batch` this instance's marks of the partitions it has met (those it consumes),
  /// each with `emitted_to`: the end up to which the step has emitted its keys' windows.
  void save(write_batch& batch, std::int64_t emitted_to = none);
  /// Up to where the instance that owned a key hashing to `key_hash` in an earlier run (or
  /// another process) had emitted the windows of `p`'s keys; `none` when unknown.
  std::int64_t emitted_to(partition_id p, std::uint64_t key_hash) const;

  /// No window end: the windows' own (a reduce step compares the two).
  static constexpr std::int64_t none = watermark_tracker::none;

private:
  struct mark {
    std::int64_t offset = -1;
    std::uint32_t pieces = 0;
    /// Of the pieces of `offset` folded in this run (not saved); the full weight once no more
    /// are to come (all came, or the partition was revoked settled).
    std::uint64_t weight = 0;
    std::int64_t emitted_to = none; ///< as saved (not kept for this instance's own marks)
  };
  using marks = std::map<partition_id, mark>;
  std::string key(std::size_t instances, std::size_t instance, partition_id p) const;

  std::string step_;
  std::size_t instance_ = 0;
  std::size_t instances_ = 1;
  /// Earlier runs' marks by (parallelism, instance); this instance's own are `own_`.
  std::map<std::pair<std::uint32_t, std::uint32_t>, marks> earlier_;
  marks own_;
  std::set<partition_id> met_; ///< partitions met since opening
  std::optional<partition_id> last_met_;
  std::uint64_t caught_up_ = 0; ///< what `state_store::catch_up` said when last asked
  /// Per earlier run's instance and partition, pieces of the current offset met while replaying.
  std::map<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t, std::int32_t>, mark> replayed_;
};

} // namespace streams
