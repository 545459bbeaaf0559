#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace streams {

/// A state store that cannot do what was asked: the directory cannot be opened or written,
/// the disk is full, the data is corrupt. Names the store's path and what failed. A pipeline
/// that meets one stops without committing offsets beyond its last durable state.
class state_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Changes to apply to a store in one atomic, durable transaction, in order.
class write_batch {
public:
  void put(std::string key, std::string value) {
    ops_.emplace_back(std::move(key), std::move(value));
  }
  void erase(std::string key) { ops_.emplace_back(std::move(key), std::nullopt); }
  bool empty() const { return ops_.empty(); }
  std::size_t size() const { return ops_.size(); }
  /// Each change: a key and its new value, or no value to erase the key.
  const std::vector<std::pair<std::string, std::optional<std::string>>>& ops() const {
    return ops_;
  }

private:
  std::vector<std::pair<std::string, std::optional<std::string>>> ops_;
};

/// Where the platform keeps the state of a pipeline's stateful steps (DESIGN.md idea 4): an
/// ordered map of byte-string keys to byte-string values. Steps share one store per pipeline
/// process and keep their keys apart with prefixes: the key layout is theirs. Keys are 1 to
/// `max_state_key_size` bytes, compared as unsigned bytes; values are any bytes.
///
/// Thread-safe: the instances of stateful steps run on different actor threads and each reads
/// and writes on its own; `write` calls are serialized, and each is atomic and, for a durable
/// store, on disk when it returns.
class state_store {
public:
  virtual ~state_store() = default;

  /// The value stored under `key`, if any (never any for a key no write could store).
  virtual std::optional<std::string> get(std::string_view key) const = 0;
  /// Calls `f` for every key starting with `prefix` (every key when it is empty), in key
  /// order, from one consistent snapshot. The views are valid only during the call. `f` may
  /// call `get` and `scan` of this store; `write` from inside `f` throws `state_error` (the
  /// LMDB store could deadlock growing its map under a running scan), in every store alike.
  virtual void
  scan(std::string_view prefix,
       const std::function<void(std::string_view key, std::string_view value)>& f) const = 0;
  /// Applies every change of `batch` in one transaction; throws `state_error` (and applies
  /// nothing) when it cannot, e.g. for an empty key or one longer than `max_state_key_size`.
  /// Erasing a missing key is not an error.
  virtual void write(const write_batch& batch) = 0;
  /// True when what `write` returned from survives a crash of the process.
  virtual bool durable() const = 0;
  /// Where the state lives, for messages: a directory, or ":memory:".
  virtual std::string where() const = 0;
  /// A store shared with other processes (a changelog) applies what they wrote since it last
  /// looked, so that a process given their partitions reads their state. Returns how many
  /// of their changes it has applied since it opened, in all: a caller that remembers the
  /// number knows whether anything came in since it last read. Throws `state_error`.
  virtual std::uint64_t catch_up() { return 0; }
};

/// The longest key a store accepts: LMDB's limit in its default build.
inline constexpr std::size_t max_state_key_size = 511;

/// The name of the in-memory store in configs and options.
inline constexpr std::string_view memory_state = ":memory:";

/// The version of how stateful steps lay out their records (src/windows/state_keys.hpp): 5
/// since a reduce step's record of a key names the source partition that fed the key, so that
/// a process holds the keys of the partitions it consumes (4: the record says up to which end
/// its writer had emitted the key's windows, and an emitted count window's record carries its
/// number; 3: replay marks per source partition; 2: one record per key rather than one per
/// pane).
inline constexpr std::string_view state_layout = "5";

/// Marks a store that no step has written with `state_layout`; for one that steps wrote,
/// checks that they wrote this layout. Throws `state_error` naming the store and both
/// layouts otherwise: records of another layout would restore as garbage.
void check_state_layout(state_store& store);

/// Counts the runs of the pipeline over `store`: returns this run's number (1 for the first),
/// written before it returns. A stateful step's outputs go out under origins that name it, as
/// the step numbers them from 1 in every run: a stateful step after it then tells this run's
/// outputs from an earlier run's, which its replay marks cover.
std::int32_t next_run(state_store& store);

/// An LMDB environment in `dir` (created if missing, with its parents). Throws `state_error`
/// naming the directory when it cannot be created, opened or written, or when this process
/// has it open already (LMDB forbids that). The map grows as needed. In streams::state.
std::unique_ptr<state_store> open_lmdb_store(const std::filesystem::path& dir);

/// A store in this process's memory: not durable, for tests and benchmarks.
std::unique_ptr<state_store> make_memory_store();

/// Opens `memory_state` as the memory store and anything else as an LMDB directory. In
/// streams::state.
std::unique_ptr<state_store> open_state_store(const std::string& where);

} // namespace streams
