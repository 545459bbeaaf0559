#pragma once

// What the LMDB store shows beyond state_store.hpp: its initial map size, which tests of the
// map's growth set small.

#include "streams/state/state_store.hpp"

#include <cstddef>
#include <filesystem>
#include <memory>

namespace streams::detail {

/// The map size of a new LMDB environment. It is only address space (the file grows with the
/// data), and it doubles whenever a write finds it full.
inline constexpr std::size_t default_lmdb_map_size = std::size_t{64} << 20;

/// `open_lmdb_store(dir)`, with the map starting at `initial_map_size` bytes (an environment
/// that already has a larger map keeps it).
std::unique_ptr<state_store> open_lmdb_store(const std::filesystem::path& dir,
                                             std::size_t initial_map_size);

} // namespace streams::detail
