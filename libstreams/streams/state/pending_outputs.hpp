#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <string>
#include <unordered_set>
#include <vector>

namespace streams {

class write_batch;

/// The outputs a stateful step (reduce_step, keyed_state_step) has emitted and not yet seen
/// delivered, each under a record of the state store that holds what it takes to emit it again
/// after a crash. A record emitted anew before the older emission was delivered (a window
/// updated by late data) is erased only once its newest emission is delivered.
///
/// Ids are handed out in order and outputs are mostly delivered in order, so the outputs are
/// kept in id order, the delivered ones at the front dropped; which emission of a record is
/// the newest is worked out only at `save`, among the outputs still on their way then.
class pending_outputs {
public:
  pending_outputs() = default;
  /// `prefix`: that of the records `add_keyed` names (state_keys.hpp).
  explicit pending_outputs(std::string prefix) : prefix_(std::move(prefix)) {}

  /// A new output kept as `record` -> `saved`, already in the store when `stored`; its id,
  /// which the runtime reports back to `delivered`. With no record (no store), only the id.
  /// `first`: no earlier output had this record (a window the time has just completed), so
  /// while every output is a first, `save` need not look for newer emissions of a record.
  std::uint64_t add(std::string record, std::string saved, bool stored, bool first = false);
  /// A new output whose record is the prefix, `key` and `numbers` (at most 3) as state_keys
  /// lays them out, built only if a `save` finds it still on its way: most outputs are
  /// delivered before, and a record's string per window emitted was an allocation and ~400
  /// instructions (cachegrind, the sparse sliding window benchmark).
  std::uint64_t add_keyed(std::string key, std::initializer_list<std::int64_t> numbers,
                          std::string saved, bool first = false);
  /// The id the next `add` returns.
  std::uint64_t next_id() const { return next_id_; }
  void delivered(std::uint64_t id);
  /// The records on their way, or delivered and not yet erased by a `save`.
  std::unordered_set<std::string> held() const;
  /// Adds to `batch` the outputs not yet stored, and the erasure of the delivered ones.
  void save(write_batch& batch);

private:
  /// An output's record: as given (`count` 0; empty: none), or `prefix_` + key + numbers.
  struct name {
    std::string record_or_key;
    std::array<std::int64_t, 3> numbers{};
    std::uint8_t count = 0;
  };
  struct entry {
    bool pending = true; ///< not yet delivered
    bool stored = false;
    name record;
    std::string saved;
  };
  /// A new entry, the last: its id is `next_id_ - 1`.
  entry& push(bool first);
  std::string record(const name& n) const;

  std::string prefix_;
  std::deque<entry> entries_;   ///< ids first_id_ .. next_id_ - 1
  std::vector<name> delivered_; ///< stored records delivered since the last save
  std::uint64_t first_id_ = 1;
  std::uint64_t next_id_ = 1;
  /// Outputs added that may repeat a record, since no output was left to save.
  std::size_t repeats_ = 0;
};

} // namespace streams
