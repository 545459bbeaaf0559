#pragma once

// Internal to streams_kafka: how a state store's write batch is laid out in changelog records
// (state_changelog.cpp); the layer's tests write torn batches with it.
//
// A batch becomes one or more records of partition 0, each keyed by its writer (the store that
// wrote it, a random id per opening) and holding, little-endian:
//   magic 'S', version 1, generation u64, sequence u64 (the writer's batch number),
//   part u32, parts u32, then changes: kind u8 (1 put, 0 erase), key length u32, key,
//   and for a put value length u32, value.
// A reader applies a batch only once it has all of its parts, so a writer that died between
// parts leaves nothing half-applied.

#include "streams/state/state_store.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace streams::kafka::detail {

/// One record of a batch, decoded. Its views point into the record's value.
struct changelog_part {
  std::uint64_t generation = 0;
  std::uint64_t sequence = 0;
  std::uint32_t part = 0;
  std::uint32_t parts = 0;
  std::vector<std::pair<std::string_view, std::optional<std::string_view>>> ops;
};

/// The record values of `batch`, each at most `max_bytes` long unless a single change is
/// longer (it then has a record of its own). An empty batch is one record without changes,
/// which marks a generation.
std::vector<std::string> encode_changelog(const write_batch& batch, std::uint64_t generation,
                                          std::uint64_t sequence, std::size_t max_bytes);

/// The part in `value`, or nothing when it is not a changelog record of this layout.
std::optional<changelog_part> decode_changelog(std::string_view value);

} // namespace streams::kafka::detail
