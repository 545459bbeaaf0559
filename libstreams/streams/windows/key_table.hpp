#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace streams {

/// The per-key state of a windowed step: entries in one vector, found through an
/// open-addressing index of (hash, position) slots. A lookup costs a hash of the key and,
/// mostly, two cache lines (the slot and the entry), where a node-based hash map chases a
/// bucket, a node and its key on every message.
///
/// Entries are only added between calls to `erase_if`, so positions (and `index_of`) are
/// stable until then; references to entries are not, when `find_or_add` adds one.
template <class V>
class key_table {
public:
  using entry = std::pair<std::string, V>;

  /// The entry of `key`, added with an empty value if missing.
  entry& find_or_add(std::string_view key) {
    auto h = std::hash<std::string_view>{}(key);
    if ((entries_.size() + 1) * 4 > slots_.size() * 3)
      rehash(slots_.empty() ? 16 : slots_.size() * 2);
    auto i = probe(key, h);
    if (slots_[i] == 0) {
      entries_.emplace_back(std::string(key), V());
      slots_[i] = slot_of(h, entries_.size() - 1);
    }
    return entries_[position(slots_[i])];
  }
  /// The entry of `key`, or null.
  entry* find(std::string_view key) {
    if (slots_.empty())
      return nullptr;
    auto i = probe(key, std::hash<std::string_view>{}(key));
    return slots_[i] == 0 ? nullptr : &entries_[position(slots_[i])];
  }
  /// Removes the entries `drop` is true for (which moves the others).
  template <class F>
  void erase_if(F drop) {
    std::size_t kept = 0;
    for (auto& e : entries_)
      if (!drop(e)) {
        if (&entries_[kept] != &e)
          entries_[kept] = std::move(e);
        ++kept;
      }
    entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(kept), entries_.end());
    rehash(slots_.size());
  }

  std::size_t index_of(const entry& e) const {
    return static_cast<std::size_t>(&e - entries_.data());
  }
  entry& at(std::size_t index) { return entries_[index]; }
  auto begin() { return entries_.begin(); }
  auto end() { return entries_.end(); }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }

private:
  // A slot: the hash's upper 32 bits, then the entry's position + 1; 0 is an empty slot.
  static std::uint64_t slot_of(std::size_t hash, std::size_t position) {
    return (static_cast<std::uint64_t>(hash) & 0xffffffff00000000ull) | (position + 1);
  }
  static std::size_t position(std::uint64_t slot) {
    return static_cast<std::size_t>(slot & 0xffffffffull) - 1;
  }
  /// The slot holding `key`, or the empty slot where it would go (linear probing).
  std::size_t probe(std::string_view key, std::size_t h) const {
    auto mask = slots_.size() - 1;
    auto tag = static_cast<std::uint64_t>(h) & 0xffffffff00000000ull;
    for (auto i = h & mask;; i = (i + 1) & mask) {
      auto s = slots_[i];
      if (s == 0 || ((s & 0xffffffff00000000ull) == tag && entries_[position(s)].first == key))
        return i;
    }
  }
  void rehash(std::size_t slots) {
    while (entries_.size() * 4 > slots * 3)
      slots *= 2;
    slots_.assign(slots, 0);
    auto mask = slots - 1;
    for (std::size_t p = 0; p < entries_.size(); ++p) {
      auto h = std::hash<std::string_view>{}(entries_[p].first);
      auto i = h & mask;
      while (slots_[i] != 0)
        i = (i + 1) & mask;
      slots_[i] = slot_of(h, p);
    }
  }

  std::vector<entry> entries_;
  std::vector<std::uint64_t> slots_; ///< a power of two, at most 3/4 full
};

} // namespace streams
