#pragma once

#include "streams/state/codec.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace streams {

/// The state of one key of a stateful step, as bytes: what the platform gives a user function
/// for the key of the message it is processing. Changes take effect only if the function
/// returns normally.
class state_cell {
public:
  virtual ~state_cell() = default;
  virtual std::optional<std::string_view> get() const = 0;
  virtual void put(std::string bytes) = 0;
  virtual void erase() = 0;
};

/// A key's state of type `S`, kept by the platform (`stream::stateful_map`): get, put, erase.
/// `S` is saved with `streams::codec` (numbers, strings, JSON, vectors, maps, pairs, or a type
/// with `encode`/`decode` overloads of its own).
template <class S>
class keyed_state {
public:
  explicit keyed_state(state_cell& cell) : cell_(cell) {}

  /// The key's state, if it has any.
  std::optional<S> get() const {
    auto bytes = cell_.get();
    if (!bytes)
      return std::nullopt;
    S s{};
    codec::decode(*bytes, s);
    return s;
  }
  /// The key's state, or `fallback` when it has none.
  S get_or(S fallback) const { return get().value_or(std::move(fallback)); }
  void put(const S& s) {
    std::string bytes;
    codec::encode(bytes, s);
    cell_.put(std::move(bytes));
  }
  /// Forgets the key's state.
  void erase() { cell_.erase(); }

private:
  state_cell& cell_;
};

} // namespace streams
