#include "changelog_record.hpp"

namespace streams::kafka::detail {

namespace {

constexpr char magic = 'S';
constexpr char version = 1;
constexpr std::size_t header_size = 2 + 8 + 8 + 4 + 4;

template <class T>
void put(std::string& out, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

template <class T>
bool get(std::string_view& in, T& v) {
  if (in.size() < sizeof(T))
    return false;
  v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i)
    v |= static_cast<T>(static_cast<unsigned char>(in[i])) << (8 * i);
  in.remove_prefix(sizeof(T));
  return true;
}

bool get_bytes(std::string_view& in, std::string_view& out) {
  std::uint32_t n = 0;
  if (!get(in, n) || in.size() < n)
    return false;
  out = in.substr(0, n);
  in.remove_prefix(n);
  return true;
}

std::size_t encoded_size(const std::pair<std::string, std::optional<std::string>>& op) {
  return 1 + 4 + op.first.size() + (op.second ? 4 + op.second->size() : 0);
}

} // namespace

std::vector<std::string> encode_changelog(const write_batch& batch, std::uint64_t generation,
                                          std::uint64_t sequence, std::size_t max_bytes) {
  // Split first, so that every part can say how many there are.
  std::vector<std::pair<std::size_t, std::size_t>> ranges; // [first, last) op of each part
  std::size_t first = 0;
  std::size_t bytes = header_size;
  auto& ops = batch.ops();
  for (std::size_t i = 0; i < ops.size(); ++i) {
    auto n = encoded_size(ops[i]);
    if (i > first && bytes + n > max_bytes) {
      ranges.emplace_back(first, i);
      first = i;
      bytes = header_size;
    }
    bytes += n;
  }
  ranges.emplace_back(first, ops.size());

  std::vector<std::string> out;
  for (std::size_t p = 0; p < ranges.size(); ++p) {
    std::string v;
    v.push_back(magic);
    v.push_back(version);
    put(v, generation);
    put(v, sequence);
    put(v, static_cast<std::uint32_t>(p));
    put(v, static_cast<std::uint32_t>(ranges.size()));
    for (auto i = ranges[p].first; i < ranges[p].second; ++i) {
      auto& [key, value] = ops[i];
      v.push_back(value ? 1 : 0);
      put(v, static_cast<std::uint32_t>(key.size()));
      v += key;
      if (value) {
        put(v, static_cast<std::uint32_t>(value->size()));
        v += *value;
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

std::optional<changelog_part> decode_changelog(std::string_view in) {
  changelog_part p;
  if (in.size() < header_size || in[0] != magic || in[1] != version)
    return std::nullopt;
  in.remove_prefix(2);
  get(in, p.generation);
  get(in, p.sequence);
  get(in, p.part);
  get(in, p.parts);
  if (p.parts == 0 || p.part >= p.parts)
    return std::nullopt;
  while (!in.empty()) {
    auto kind = in.front();
    in.remove_prefix(1);
    std::string_view key;
    if ((kind != 0 && kind != 1) || !get_bytes(in, key))
      return std::nullopt;
    std::optional<std::string_view> value;
    if (kind == 1) {
      std::string_view v;
      if (!get_bytes(in, v))
        return std::nullopt;
      value = v;
    }
    p.ops.emplace_back(key, value);
  }
  return p;
}

} // namespace streams::kafka::detail
