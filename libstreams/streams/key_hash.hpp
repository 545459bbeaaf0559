#pragma once

#include <cstdint>
#include <string_view>

namespace streams {

/// A stable 64-bit hash of a group-by key (FNV-1a): routes keys to the instances of a keyed
/// step, the same in every process and build, so that state and routing agree across restarts.
inline std::uint64_t key_hash(std::string_view key) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

} // namespace streams
