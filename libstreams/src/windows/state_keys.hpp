#pragma once

// How stateful steps lay out their keys in the shared state store: every key starts with the
// step's name and a NUL, then a tag byte saying what the record is, then big-endian fields so
// that the store's key order is time order (`mdb_dump -p` shows them readably).
//   'p' key seq       : panes (or sessions, or a count window) of a key written by checkpoint
//                       number seq, value = the source partition that fed the key (source
//                       index, partition; none: ~0, -1), the end up to which the writer had
//                       emitted the key's time windows, then each pane's bounds, count, first
//                       and last timestamps, fired flag and length-prefixed accumulator (a time
//                       window's pane whose windows have all fired may stay in it until the
//                       record's last pane goes: a restore drops it again)
//   'f' key start end : a window emitted and not yet delivered, value = its accumulator;
//                       a count window's key ends with its number n (two may share bounds)
//   'm' n i s p       : replay mark of instance i of n for partition p of source s, value =
//                       offset, pieces of it folded, and the window end up to which the
//                       instance had emitted the windows of the partition's keys
//   't' n i           : timers of instance i of n (watermark, next window end, grid origin,
//                       count windows emitted)

#include "streams/state/pending_outputs.hpp"
#include "streams/state/state_store.hpp"
#include "streams/step_operator.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace streams::state_keys {

inline std::string prefix(std::string_view step, char tag) {
  std::string k(step);
  k.push_back('\0');
  k.push_back(tag);
  return k;
}

// Written into a buffer and appended at once: a push_back per byte checks the capacity each
// time (with building the keys of emitted windows, a sixth of the instructions of the sparse
// sliding window benchmark, by cachegrind).
inline void put_u32(std::string& k, std::uint32_t v) {
  char b[4];
  for (int i = 3; i >= 0; --i, v >>= 8)
    b[i] = static_cast<char>(v & 0xff);
  k.append(b, sizeof b);
}

/// Order-preserving: the sign bit flipped, then big-endian.
inline void put_i64(std::string& k, std::int64_t v) {
  auto u = static_cast<std::uint64_t>(v) ^ (std::uint64_t{1} << 63);
  char b[8];
  for (int i = 7; i >= 0; --i, u >>= 8)
    b[i] = static_cast<char>(u & 0xff);
  k.append(b, sizeof b);
}

inline std::uint32_t get_u32(std::string_view& in) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v = (v << 8) | static_cast<unsigned char>(in[static_cast<std::size_t>(i)]);
  in.remove_prefix(4);
  return v;
}

inline std::int64_t get_i64(std::string_view& in) {
  std::uint64_t u = 0;
  for (int i = 0; i < 8; ++i)
    u = (u << 8) | static_cast<unsigned char>(in[static_cast<std::size_t>(i)]);
  in.remove_prefix(8);
  return static_cast<std::int64_t>(u ^ (std::uint64_t{1} << 63));
}

/// A length-prefixed key, so that keys holding any bytes stay apart.
inline void put_string(std::string& k, std::string_view s) {
  put_u32(k, static_cast<std::uint32_t>(s.size()));
  k.append(s);
}

inline std::string get_string(std::string_view& in) {
  auto n = get_u32(in);
  std::string s(in.substr(0, n));
  in.remove_prefix(n);
  return s;
}

/// The records under `prefix` (a prefix then a key, as `put_string` wrote it) whose key this
/// instance owns (`operator_context::owns`): what a stateful step restores after a restart,
/// also with another parallelism than the run that wrote them.
inline std::vector<std::pair<std::string, std::string>>
owned_records(const state_store& store, std::string_view prefix, const operator_context& ctx) {
  std::vector<std::pair<std::string, std::string>> out;
  store.scan(prefix, [&](std::string_view k, std::string_view v) {
    auto rest = k.substr(prefix.size());
    if (ctx.owns(get_string(rest)))
      out.emplace_back(std::string(k), std::string(v));
  });
  return out;
}

/// Adds to `restored` the owned records under `prefix` (outputs emitted and not delivered)
/// that neither `pending` holds nor `restored` lists: after adopting partitions, those another
/// process emitted, which go out again as after a restart.
inline void add_unsent(const state_store& store, std::string_view prefix,
                       const operator_context& ctx, const pending_outputs& pending,
                       std::vector<std::pair<std::string, std::string>>& restored) {
  auto skip = pending.held();
  for (auto& x : restored)
    skip.insert(x.first);
  for (auto& r : owned_records(store, prefix, ctx))
    if (!skip.count(r.first))
      restored.push_back(std::move(r));
}

} // namespace streams::state_keys
