#pragma once

#include "streams/state/pending_outputs.hpp"
#include "streams/step_operator.hpp"
#include "streams/windows/accumulator.hpp"
#include "streams/windows/key_table.hpp"
#include "streams/windows/replay_guard.hpp"
#include "streams/windows/trimmed_vector.hpp"
#include "streams/windows/watermark_tracker.hpp"
#include "streams/windows/window.hpp"

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace streams {

class write_batch;

/// The user's side of a `reduce` step, type-erased by the typed builder (pipeline.hpp).
struct reduce_functions {
  accumulator_factory make;                       ///< an empty accumulator
  std::function<std::string(const message&)> key; ///< the group-by key; null: one group
  /// The output payload (a `windowed<R>`) of a window's accumulator.
  std::function<value(std::string key, std::int64_t start, std::int64_t end,
                      const any_accumulator& acc)>
      result;
};

/// The functions of a reduce step with accumulator `A` over payloads `T` (see accumulator.hpp).
template <class A, class T>
reduce_functions reduce_functions_for(std::function<std::string(const message&)> key) {
  using R = std::decay_t<decltype(std::declval<const A&>().result())>;
  reduce_functions f;
  f.make = [](accumulator_slot& s) { s.emplace<typed_accumulator<A, T>>(); };
  f.key = std::move(key);
  f.result = [](std::string k, std::int64_t start, std::int64_t end, const any_accumulator& acc) {
    return value(windowed<R>{std::move(k), start, end,
                             static_cast<const typed_accumulator<A, T>&>(acc).acc.result()});
  };
  return f;
}

/// Keyed windowed aggregation (DESIGN.md idea 4): one accumulator per key and window, kept in
/// the platform's state store.
///
/// Time windows are built from panes of `slide` (tumbling: the window itself): a message is
/// added to one pane, and a window's result merges its size/slide panes, so the cost per
/// message does not grow with size/slide. Count windows hold one pane per key, sessions one
/// per session.
///
/// State and exactness: inputs folded into state are held (not acknowledged) until a
/// `checkpoint` has written the state, with replay marks, in one durable transaction; emitted
/// windows stay in the store until `delivered`, and are emitted again after a crash.
///
/// State follows source partitions: each key remembers the partition that fed it. Restored
/// keys (`open`, each instance taking those that hash to it) are parked until their partition
/// is met (its first message, or its source's assignment), as another process may consume it;
/// the keys of revoked partitions are parked again, and read again if another process changed
/// them meanwhile.
class reduce_step : public step_operator {
public:
  /// The wall clock in milliseconds since the epoch; injectable for deterministic tests.
  using wall_clock = std::function<std::int64_t()>;
  /// The default: the wall clock as of the kernel's last tick (a few ms behind at most), read
  /// for every message; a precise clock costs 6% of a keyed count's time.
  static std::int64_t coarse_now_ms();

  reduce_step(window_spec w, reduce_functions f, wall_clock now = coarse_now_ms);
  reduce_step(reduce_step&&) noexcept;
  ~reduce_step() override;

  void process(message& m, emitter& out) override;
  std::optional<clock::time_point> next_deadline() const override;
  void on_tick(clock::time_point now, emitter& out) override;
  void on_close(emitter& out, close_reason why) override;
  /// Time windows at the end of a finite input: one window end (its window of every key) at
  /// a time.
  bool close_pending() const override;
  void close_more(emitter& out) override;

  bool stateful() const override { return true; }
  void open(const operator_context& ctx) override;
  void checkpoint(emitter& out) override;
  void delivered(std::uint64_t id) override;
  void revoked(std::uint32_t source, const std::vector<std::int32_t>& partitions,
               bool settled) override;
  void assigned(std::uint32_t source, const std::vector<std::int32_t>& partitions) override;

  /// Messages sent to the dead-letter sink for arriving after their windows closed.
  std::uint64_t late() const { return late_; }
  /// Keys with open state, and panes over all keys (for memory benchmarks).
  std::size_t keys() const;
  std::size_t panes() const;
  /// Keys restored from the store whose partition this instance has not met (or has lost).
  std::size_t parked() const { return parked_.size(); }

private:
  using partition_id = replay_guard::partition_id;
  /// The partition of keys fed by messages without origins.
  static constexpr partition_id no_partition{~std::uint32_t{0}, -1};

  struct pane {
    std::int64_t start = 0; ///< time windows: pane start; sessions: first timestamp
    std::int64_t end = 0;   ///< exclusive; sessions: last timestamp + gap
    std::uint64_t count = 0;
    std::int64_t first_ts = 0;
    std::int64_t last_ts = 0;
    accumulator_slot acc;
    std::uint32_t record = 0; ///< the record of the store holding it (`panes_stored`), or 0
    bool dirty = false;       ///< changed since the last checkpoint
    bool fired = false;       ///< sessions: emitted once already
  };
  /// A record of the store holding panes of a key: those a checkpoint wrote (`seq` counts the
  /// checkpoints), less those written again by a later one. Time windows' panes that went
  /// may stay in it until its last one goes.
  struct panes_stored {
    std::uint32_t seq = 0;
    std::uint32_t live = 0; ///< of its panes, those this instance holds
    /// One of its panes changed or went (time windows: its last went): replaced or erased at
    /// the next checkpoint.
    bool dying = false;
    std::int64_t first_start = 0; ///< the least start of its panes
  };
  struct key_state {
    trimmed_vector<pane> panes;        ///< ordered by start
    std::vector<panes_stored> records; ///< by `seq`
    /// Sliding windows of an invertible accumulator (`running_`): the merge of the panes
    /// starting in [run_from, run_to), the window last emitted; empty until one is, or after
    /// a pane in it changed.
    accumulator_slot running;
    std::int64_t run_from = 0, run_to = 0;
    std::uint64_t run_count = 0;        ///< messages in `running`
    partition_id fed_by = no_partition; ///< the source partition of its latest message
    /// At most the start of every dirty pane and of every pane in a dying record.
    std::int64_t rewrite_from = std::numeric_limits<std::int64_t>::max();
    bool listed = false; ///< in `dirty_keys_`
  };
  using key_entry = key_table<key_state>::entry;
  /// A key whose partition this instance does not consume now: no windows fire for it.
  struct parked_key {
    key_state state; ///< timers not counted in `pane_starts_` or `session_ends_`
    /// The end up to which its windows count as emitted: those from there to this
    /// instance's next window end come out when it goes live (no one emitted them).
    std::int64_t emitted_to = 0;
  };
  /// A key's records as the store holds them, by `seq`.
  using stored_records = std::vector<std::pair<std::uint32_t, std::string>>;

  std::int64_t time_now() const; ///< the time windows close by: watermark or wall clock
  /// Emits every window the time has completed, and drops the panes no window needs.
  void advance(emitter& out);
  /// Emits window [end - size, end) of every key (`out` null: only drops expired panes).
  void fire_time_window(std::int64_t end, emitter* out);
  /// `fired`: the key's `fired_to`, which its callers know already.
  void fire_key(const std::string& key, key_state& ks, std::int64_t end, std::int64_t fired,
                emitter& out);
  /// The least end of the key's windows not yet emitted: `next_end_`, or later for a key
  /// whose state an instance that was ahead wrote (`ahead_`).
  std::int64_t fired_to(const std::string& key) const;
  /// Emits the complete windows of keys gone live that no one had emitted and that
  /// this instance has passed (`missed_`).
  void fire_missed(emitter& out);
  /// Moves the key's running accumulator to window [start, end): the panes leaving it taken
  /// out, those entering merged in. False when the window is behind it (fired again for late
  /// data): it is then merged from its panes.
  bool run_to(key_state& ks, std::int64_t start, std::int64_t end);
  void fire_sessions(emitter& out);
  /// `first`: the window's first emission (the time has just completed it); `restored`: the
  /// record of a restored emission, already in the store.
  void emit(const std::string& key, std::int64_t start, std::int64_t end,
            const any_accumulator& acc, emitter& out, bool first = false,
            std::string restored = {});
  void emit_restored(emitter& out);
  void fold(key_entry& e, pane& p, message& m);
  void mark_dirty(key_entry& e, pane& p);
  void list(key_entry& e); ///< for the next checkpoint to look at
  /// The record is erased, and its panes still held written again, at the next checkpoint.
  static void mark_dying(key_state& ks, panes_stored& r);
  static panes_stored& record_of(key_state& ks, std::uint32_t seq);
  /// Adds to `b` this checkpoint's record of the key's changed panes, and the erasure of the
  /// records it replaces.
  void save_key(key_entry& e, write_batch& b);
  void reject_late(message& m, std::int64_t ts, emitter& out);
  void add_timed(const std::string& key, key_entry* found, message& m, std::int64_t ts,
                 emitter& out);
  void add_count(const std::string& key, key_entry* found, message& m, emitter& out);
  void add_session(const std::string& key, key_entry* found, message& m, std::int64_t ts,
                   emitter& out);
  std::int64_t pane_start(std::int64_t ts) const;
  std::string panes_record(const std::string& key, std::uint32_t seq) const;
  std::string timers_record(std::size_t instances, std::size_t instance) const;
  std::string save_timers() const;
  /// A pane that goes: its record and its timers.
  void forget_pane(key_entry& e, const pane& p);
  void forget_record(key_entry& e, const pane& p);
  void drop_timers(const std::string& key, const pane& p);
  /// The key's entry, unparked if it was parked; `found`: its entry in `keys_`, if known.
  key_entry& entry_of(const std::string& key, key_entry* found);
  /// Every owned key's records in the store.
  std::map<std::string, stored_records> stored_keys() const;
  /// A key as its records say, with the end up to which its writer had emitted its windows.
  parked_key read_key(const std::string& key, const stored_records& records);
  /// Makes a parked key (or one read from the store) live: its timers, and which of its
  /// windows are emitted.
  void restore_key(const std::string& key, parked_key&& k);
  /// Parks the keys of `partitions` that have not changed since the last checkpoint.
  void park(const std::set<partition_id>& partitions);
  /// Before the first message of partitions met since opening (or an assignment): their keys
  /// go live, and what other processes wrote since (their partitions may have come to this
  /// one) replaces what this instance holds of the keys it has not changed since its last
  /// checkpoint, with their replay marks and windows emitted and not delivered.
  void adopt(const std::vector<partition_id>& met);

  window_spec w_;
  reduce_functions f_;
  wall_clock now_;
  operator_context ctx_;
  state_store* store_ = nullptr;
  std::string pane_prefix_; ///< of the step's records of panes (state_keys.hpp)
  /// A key left without panes stays here until the next checkpoint (most keys come back
  /// within a window or two, and lookups that insert cost more than those that find); the
  /// positions of `dirty_keys_` stay valid until then too.
  key_table<key_state> keys_;
  std::map<std::int64_t, std::size_t> pane_starts_; ///< timed windows: panes per start
  std::set<std::pair<std::int64_t, std::string>> session_ends_;
  std::vector<std::size_t> dirty_keys_; ///< keys with panes changed since the last checkpoint
  std::unordered_map<std::string, parked_key> parked_; ///< apart from `keys_`
  pending_outputs emitted_;                            ///< windows emitted, not yet delivered
  std::vector<std::pair<std::string, std::string>> restored_; ///< emissions to send again
  /// Time windows of keys whose stored state says their writer had emitted their windows
  /// further than `next_end_`: up to where (until `next_end_` gets there).
  std::map<std::string, std::int64_t> ahead_;
  /// Time windows of keys adopted from a writer that was behind, or parked while they passed:
  /// from where they had been emitted (`fire_missed`).
  std::map<std::string, std::int64_t> missed_;
  origin_ranges held_; ///< inputs folded since the last checkpoint
  watermark_tracker wm_;
  replay_guard guard_;
  std::uint32_t next_record_ = 1; ///< the `seq` of the next checkpoint's records
  std::uint64_t emissions_ = 0;   ///< count windows emitted: the number of the next one's record
  std::int64_t next_end_;         ///< timed: the least window end not yet fired
  std::int64_t origin_; ///< processing-time sliding windows begin here (the first message)
  std::uint64_t late_ = 0;
  bool closing_ = false; ///< the input is exhausted: time runs to the end
  /// Sliding windows of an accumulator with `subtract`: a window costs the panes entering and
  /// leaving it, not a merge of size/slide panes.
  bool running_ = false;
};

} // namespace streams
