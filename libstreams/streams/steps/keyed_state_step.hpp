#pragma once

#include "streams/state/keyed_state.hpp"
#include "streams/state/pending_outputs.hpp"
#include "streams/step_operator.hpp"
#include "streams/windows/replay_guard.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace streams {

/// The user's side of a keyed stateful step, type-erased by the typed builder (pipeline.hpp).
struct keyed_state_functions {
  std::function<std::string(const message&)> key;
  /// Runs the user function on `m` with its key's state; returns the output payload.
  std::function<value(const message& m, state_cell& state)> apply;
  /// Saves and restores an output payload: outputs not yet delivered at a checkpoint are kept
  /// in the store and emitted again after a crash.
  std::function<void(const value& v, std::string& out)> save_output;
  std::function<value(std::string_view in)> load_output;
};

/// A map whose function reads and writes per-key state kept by the platform (DESIGN.md idea 4):
/// `stream::stateful_map`. Exactness as for `reduce_step`: inputs are released by a durable
/// checkpoint that writes the changed keys with replay marks, and outputs stay stored until
/// delivered. An output carries the state key as its message key and its input's timestamp.
/// Keys' states are read from the store when first needed and dropped from memory at each
/// checkpoint, so memory does not grow with the number of keys.
class keyed_state_step : public step_operator {
public:
  explicit keyed_state_step(keyed_state_functions f);
  ~keyed_state_step() override;

  void process(message& m, emitter& out) override;
  std::optional<clock::time_point> next_deadline() const override;
  void on_tick(clock::time_point now, emitter& out) override;
  void on_close(emitter& out, close_reason why) override;

  bool stateful() const override { return true; }
  void open(const operator_context& ctx) override;
  void checkpoint(emitter& out) override;
  void delivered(std::uint64_t id) override;
  void revoked(std::uint32_t source, const std::vector<std::int32_t>& partitions,
               bool settled) override;
  void assigned(std::uint32_t source, const std::vector<std::int32_t>& partitions) override;

private:
  struct entry {
    std::optional<std::string> bytes;
    bool dirty = false;
  };
  class cell;

  entry& lookup(const std::string& key);
  /// `restored`: the record of an output restored from the store, already there.
  void emit(std::string key, std::int64_t timestamp, value v, emitter& out,
            std::string restored = {});
  void emit_restored(emitter& out);
  /// Before the first message of a partition met since opening: reads again what other
  /// processes wrote (their partitions may have come to this one), with their replay marks
  /// and outputs not delivered.
  void adopt();
  std::string state_record(const std::string& key) const;

  keyed_state_functions f_;
  operator_context ctx_;
  state_store* store_ = nullptr;
  std::unordered_map<std::string, entry> cache_;
  std::vector<std::string> dirty_;
  pending_outputs outputs_; ///< emitted, not yet delivered
  std::vector<std::pair<std::string, std::string>> restored_;
  std::uint64_t run_ = 0; ///< tells this run's output records from earlier runs'
  origin_ranges held_;
  replay_guard guard_;
};

} // namespace streams
