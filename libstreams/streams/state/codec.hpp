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

} // namespace streams::codec
