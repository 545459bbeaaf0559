#pragma once

// Compact binary encoding of state values: what accumulators use to save themselves in the
// state store. Fixed-width little-endian numbers, length-prefixed strings and containers;
// `decode` throws `state_error` on truncated input rather than reading past it.
//
//     void save(std::string& out) const { codec::encode(out, counts_); }
//     static word_counts load(std::string_view in) { word_counts w; codec::decode(in, w.counts_);
//     return w; }

#include "streams/json.hpp"
#include "streams/state/state_store.hpp"

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace streams::codec {

/// A type that saves itself, as accumulators do: `void save(std::string&) const` and
/// `static T load(std::string_view)`. Encoded length-prefixed, so it can sit in a container.
template <class T>
using saves_itself =
    std::void_t<decltype(std::declval<const T&>().save(std::declval<std::string&>())),
                decltype(T::load(std::string_view()))>;
template <class T, class = saves_itself<T>>
void encode(std::string& out, const T& v);
template <class T, class = saves_itself<T>>
void decode(std::string_view& in, T& v);

template <class T>
std::enable_if_t<std::is_arithmetic_v<T>> encode(std::string& out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out.append(buf, sizeof(T));
}

inline void encode(std::string& out, std::string_view s) {
  encode(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}
inline void encode(std::string& out, const std::string& s) { encode(out, std::string_view(s)); }
inline void encode(std::string& out, const json& j) { encode(out, j.dump()); }

template <class A, class B>
void encode(std::string& out, const std::pair<A, B>& p);
template <class T>
void encode(std::string& out, const std::vector<T>& v);
template <class K, class V>
void encode(std::string& out, const std::map<K, V>& m);
template <class K, class V>
void encode(std::string& out, const std::unordered_map<K, V>& m);

template <class A, class B>
void encode(std::string& out, const std::pair<A, B>& p) {
  encode(out, p.first);
  encode(out, p.second);
}
template <class T>
void encode(std::string& out, const std::vector<T>& v) {
  encode(out, static_cast<std::uint32_t>(v.size()));
  for (auto& x : v)
    encode(out, x);
}
template <class K, class V>
void encode(std::string& out, const std::map<K, V>& m) {
  encode(out, static_cast<std::uint32_t>(m.size()));
  for (auto& kv : m)
    encode(out, kv);
}
template <class K, class V>
void encode(std::string& out, const std::unordered_map<K, V>& m) {
  encode(out, static_cast<std::uint32_t>(m.size()));
  for (auto& kv : m)
    encode(out, kv);
}

namespace detail {
inline void need(std::string_view in, std::size_t n) {
  if (in.size() < n)
    throw state_error("corrupt state value: " + std::to_string(n) + " bytes expected, "
                      + std::to_string(in.size()) + " left");
}
} // namespace detail

/// Each `decode` reads one value from the front of `in` and advances `in` past it.
template <class T>
std::enable_if_t<std::is_arithmetic_v<T>> decode(std::string_view& in, T& v) {
  detail::need(in, sizeof(T));
  std::memcpy(&v, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
}

inline void decode(std::string_view& in, std::string& s) {
  std::uint32_t n = 0;
  decode(in, n);
  detail::need(in, n);
  s.assign(in.data(), n);
  in.remove_prefix(n);
}
inline void decode(std::string_view& in, json& j) {
  std::string text;
  decode(in, text);
  j = json::parse(text);
}

template <class A, class B>
void decode(std::string_view& in, std::pair<A, B>& p);
template <class T>
void decode(std::string_view& in, std::vector<T>& v);
template <class K, class V>
void decode(std::string_view& in, std::map<K, V>& m);
template <class K, class V>
void decode(std::string_view& in, std::unordered_map<K, V>& m);

template <class A, class B>
void decode(std::string_view& in, std::pair<A, B>& p) {
  decode(in, p.first);
  decode(in, p.second);
}
template <class T>
void decode(std::string_view& in, std::vector<T>& v) {
  std::uint32_t n = 0;
  decode(in, n);
  v.clear();
  v.reserve(std::min<std::size_t>(n, in.size())); // a corrupt count must not reserve gigabytes
  for (std::uint32_t i = 0; i < n; ++i) {
    T x{};
    decode(in, x);
    v.push_back(std::move(x));
  }
}
namespace detail {
/// A map of either kind: a count, then the pairs.
template <class Map>
void decode_map(std::string_view& in, Map& m) {
  std::uint32_t n = 0;
  decode(in, n);
  m.clear();
  for (std::uint32_t i = 0; i < n; ++i) {
    std::pair<typename Map::key_type, typename Map::mapped_type> kv{};
    decode(in, kv);
    m.insert(std::move(kv));
  }
}
} // namespace detail

template <class K, class V>
void decode(std::string_view& in, std::map<K, V>& m) {
  detail::decode_map(in, m);
}
template <class K, class V>
void decode(std::string_view& in, std::unordered_map<K, V>& m) {
  detail::decode_map(in, m);
}

/// Whether `encode` and `decode` know `T`: numbers, strings, JSON, pairs, vectors and maps of
/// such, and types that save and load themselves (`void save(std::string&) const`,
/// `static T load(std::string_view)`, as accumulators do). Decoding needs `T{}`.
template <class T, class = void>
struct encodable : std::bool_constant<std::is_arithmetic_v<T>> {};
template <>
struct encodable<std::string> : std::true_type {};
template <>
struct encodable<json> : std::true_type {};
template <class A, class B>
struct encodable<std::pair<A, B>> : std::bool_constant<encodable<A>::value && encodable<B>::value> {
};
template <class T>
struct encodable<std::vector<T>> : encodable<T> {};
template <class K, class V>
struct encodable<std::map<K, V>> : encodable<std::pair<K, V>> {};
template <class K, class V>
struct encodable<std::unordered_map<K, V>> : encodable<std::pair<K, V>> {};

template <class T>
struct encodable<T, saves_itself<T>> : std::true_type {};

template <class T, class>
void encode(std::string& out, const T& v) {
  std::string saved;
  v.save(saved);
  encode(out, saved);
}
template <class T, class>
void decode(std::string_view& in, T& v) {
  std::string saved;
  decode(in, saved);
  v = T::load(saved);
}

} // namespace streams::codec
