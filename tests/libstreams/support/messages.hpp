#pragma once

#include "streams/lineage.hpp"
#include "streams/message.hpp"

#include <cstdint>
#include <vector>

namespace streams::test {

/// A message as a source would hand it out: one origin with the full weight.
template <class T>
message sourced(T payload, std::int64_t offset, std::int32_t partition = 0,
                std::uint32_t source = 0) {
  message m(std::move(payload));
  m.set_lineage(lineage(origin{source, partition, offset, origin::full_weight}));
  return m;
}

/// A message with every field set to something other than its default, so that a test can
/// see which fields a step keeps.
template <class T>
message decorated(T payload, std::int64_t offset) {
  auto m = sourced(std::move(payload), offset, 3, 1);
  m.set_key(bytes("the-key"));
  m.add_header("h1", "v1");
  m.add_header("h2", "v2");
  m.set_timestamp(1'700'000'000'123);
  m.set_schema("events");
  return m;
}

inline bool same_place(const origin& a, const origin& b) {
  return a.source == b.source && a.partition == b.partition && a.offset == b.offset;
}

/// The weight the given lineages carry for the offset `where` names (its weight is ignored).
/// Computed in 128 bits so that a step handing out too much weight cannot hide by overflow.
inline unsigned __int128 weight_for(const std::vector<const lineage*>& lineages,
                                    const origin& where) {
  unsigned __int128 sum = 0;
  for (auto l : lineages)
    for (auto& o : l->origins())
      if (same_place(o, where))
        sum += o.weight;
  return sum;
}

inline unsigned __int128 full() { return origin::full_weight; }

/// Messages with the given payloads at consecutive offsets of partition 0.
inline std::vector<message> batch_of(std::vector<bytes> payloads, std::int64_t first_offset) {
  std::vector<message> out;
  for (auto& p : payloads)
    out.push_back(sourced(p, first_offset++));
  return out;
}

/// The offset of each lineage's first origin.
inline std::vector<std::int64_t> offsets(const std::vector<lineage>& ls) {
  std::vector<std::int64_t> out;
  for (auto& l : ls)
    out.push_back(l.origins().front().offset);
  return out;
}

} // namespace streams::test
