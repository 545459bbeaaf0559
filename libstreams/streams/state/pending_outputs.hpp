#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
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
  /// A new output kept as `record` -> `saved`, already in the store when `stored`; its id,
  /// which the runtime reports back to `delivered`. With no record (no store), only the id.
  /// `first`: no earlier output had this record (a window the time has just completed), so
  /// while every output is a first, `save` need not look for newer emissions of a record.
  std::uint64_t add(std::string record, std::string saved, bool stored, bool first = false);
  /// The id the next `add` returns.
  std::uint64_t next_id() const { return next_id_; }
  void delivered(std::uint64_t id);
  /// The records on their way, or delivered and not yet erased by a `save`.
  std::unordered_set<std::string_view> held() const;
  /// Adds to `batch` the outputs not yet stored, and the erasure of the delivered ones.
  void save(write_batch& batch);

private:
  struct entry {
    std::string record;
    std::string saved;
    bool stored = false;
    bool pending = false; ///< not yet delivered
  };
  std::deque<entry> entries_;          ///< ids first_id_ .. next_id_ - 1
  std::vector<std::string> delivered_; ///< stored records delivered since the last save
  std::uint64_t first_id_ = 1;
  std::uint64_t next_id_ = 1;
  /// Outputs added that may repeat a record, since no output was left to save.
  std::size_t repeats_ = 0;
};

} // namespace streams
