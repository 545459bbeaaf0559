#include "streams/json.hpp"

#include "streams/error.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <unordered_map>
#include <vector>

namespace streams {

// A pool whose first chunk lives inside the state: a typical event parses without a
// second allocation, and no document reserves RapidJSON's default 64 KiB chunk.
struct json::state {
  static constexpr std::size_t inline_bytes = 1024;
  alignas(8) char buffer[inline_bytes];
  rapidjson::MemoryPoolAllocator<> pool{buffer, inline_bytes, inline_bytes};
  document doc{rapidjson::kObjectType, &pool};
};

json::json() : s_(std::make_unique<state>()) {}

json::json(const json& other) : s_(std::make_unique<state>()) {
  s_->doc.CopyFrom(other.s_->doc, s_->pool);
}

json::json(json&&) noexcept = default;
json& json::operator=(json&&) noexcept = default;
json::~json() = default;

json& json::operator=(const json& other) {
  if (this != &other)
    *this = json(other);
  return *this;
}

namespace {

// Python's json gives up near this depth too (its recursion limit). Parsing, copying and dumping
// recurse once per level: bounded so, they need well under 1 MiB of stack.
constexpr unsigned max_depth = 1000;

// The power of ten of a JSON number's first significant digit ("0.05e3" gives 1), its
// exponent saturated far beyond a double's range. `text` is a number as JSON spells it.
long decimal_exponent(std::string_view text) {
  auto end = std::min(text.find_first_of("eE"), text.size());
  auto point = std::min(text.find('.'), end);
  auto first = text.find_first_of("123456789");
  if (first >= end)
    return 0;
  long exponent =
      first < point ? static_cast<long>(point - first) - 1 : -static_cast<long>(first - point);
  long written = 0;
  for (auto i = end + 1; i < text.size(); ++i)
    if (text[i] >= '0' && text[i] <= '9')
      written = std::min(written * 10 + (text[i] - '0'), 1'000'000L);
  return end + 1 < text.size() && text[end + 1] == '-' ? exponent - written : exponent + written;
}

// Builds a document from the reader's events, refusing nesting deeper than `max_depth`. It also
// notes whether an object may repeat a key, comparing a cheap tag of each key with those of the
// keys before it, so that only such documents pay for resolving repeats as Python does. Tags live
// in fixed arrays (no allocation per parse); past them, a document counts as possibly repeating.
class bounded_builder {
public:
  // `escapes`: whether the text has \u escapes, the only source of a lone surrogate.
  bounded_builder(json::document& doc, bool escapes) : doc_(doc), escapes_(escapes) {}

  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned i) { return doc_.Uint(i); }
  bool Int64(std::int64_t i) { return doc_.Int64(i); }
  bool Uint64(std::uint64_t i) { return doc_.Uint64(i); }
  bool Double(double d) { return doc_.Double(d); }
  // Numbers come as text (kParseNumbersAsStringsFlag): RapidJSON's own conversion reads past its
  // tables on numbers of more than 780 digits (found by the fuzzer). from_chars rounds correctly,
  // as Python reads numbers, and keeps RapidJSON's choice of integer or double.
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    const char* end = s + n;
    auto whole = [end](std::from_chars_result r) { return r.ec == std::errc() && r.ptr == end; };
    if (std::int64_t i; *s == '-' && whole(std::from_chars(s, end, i)))
      return doc_.Int64(i);
    if (std::uint64_t u; *s != '-' && whole(std::from_chars(s, end, u)))
      return doc_.Uint64(u);
    double d;
    if (std::from_chars(s, end, d).ec == std::errc())
      return doc_.Double(d);
    // Out of range: an underflow is a zero, as in Python; an overflow has no double.
    if (decimal_exponent({s, n}) > 0)
      return refuse("a number beyond the range of a double");
    return doc_.Double(*s == '-' ? -0.0 : 0.0);
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) {
    return (!escapes_ || no_surrogate(s, n)) && doc_.String(s, n, copy);
  }
  bool StartArray() { return enter() && doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType n) {
    --depth_;
    return doc_.EndArray(n);
  }
  bool StartObject() {
    if (open_objects_ < tracked_objects)
      first_tag_[open_objects_] = tags_;
    else
      may_repeat_keys_ = true;
    ++open_objects_;
    return enter() && doc_.StartObject();
  }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) {
    if (!may_repeat_keys_)
      note_key(s, n);
    return (!escapes_ || no_surrogate(s, n)) && doc_.Key(s, n, copy);
  }
  bool EndObject(rapidjson::SizeType n) {
    --depth_;
    if (--open_objects_ < tracked_objects)
      tags_ = first_tag_[open_objects_];
    return doc_.EndObject(n);
  }

  // Why the builder stopped the reader, if it did.
  const std::string& refusal() const { return refusal_; }
  bool may_repeat_keys() const { return may_repeat_keys_; }

private:
  static constexpr unsigned tracked_objects = 16;
  static constexpr unsigned tracked_keys = 64;

  bool refuse(std::string why) {
    refusal_ = std::move(why);
    return false;
  }

  bool enter() {
    return ++depth_ <= max_depth
           || refuse("nested deeper than " + std::to_string(max_depth) + " levels");
  }

  // RapidJSON decodes an escaped lone low surrogate (U+DC00 to U+DFFF) into bytes that are no
  // UTF-8 (0xED then 0xA0-0xBF), which a dump would write: refused like any other string that is
  // no UTF-8 (raw such bytes fail the reader's own check).
  bool no_surrogate(const char* s, rapidjson::SizeType n) {
    const char* end = s + n;
    for (auto p = s; (p = static_cast<const char*>(std::memchr(p, '\xED', end - p))); ++p)
      if (p + 1 < end && static_cast<unsigned char>(p[1]) >= 0xA0)
        return refuse("a lone UTF-16 surrogate escape in a string");
    return true;
  }

  void note_key(const char* s, rapidjson::SizeType n) {
    if (tags_ == tracked_keys) {
      may_repeat_keys_ = true;
      return;
    }
    std::uint32_t tag = n == 0 ? 0
                               : (n << 16) ^ (static_cast<unsigned char>(s[0]) << 8)
                                     ^ static_cast<unsigned char>(s[n - 1]);
    for (unsigned i = first_tag_[open_objects_ - 1]; i < tags_; ++i)
      if (tag_[i] == tag)
        may_repeat_keys_ = true;
    tag_[tags_++] = tag;
  }

  json::document& doc_;
  bool escapes_;
  std::string refusal_;
  unsigned depth_ = 0;
  unsigned open_objects_ = 0;
  unsigned tags_ = 0;
  bool may_repeat_keys_ = false;
  std::array<unsigned, tracked_objects> first_tag_;
  std::array<std::uint32_t, tracked_keys> tag_;
};

bool is_ascii(std::string_view text) {
  std::uint64_t high = 0;
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    high |= word;
  }
  for (; i < text.size(); ++i)
    high |= static_cast<unsigned char>(text[i]);
  return (high & 0x8080808080808080u) == 0;
}

// Keeps one member per name, where the name first appeared, with the value it was given last:
// what Python's json.loads makes of `{"a":1,"b":2,"a":3}` ({"a":3,"b":2}).
void keep_last_of_repeated_keys(json::value& root) {
  std::vector<json::value*> pending{&root};
  std::unordered_map<std::string_view, rapidjson::SizeType> first_index;
  while (!pending.empty()) {
    json::value& v = *pending.back();
    pending.pop_back();
    if (v.IsArray()) {
      for (auto& element : v.GetArray())
        pending.push_back(&element);
    } else if (v.IsObject()) {
      first_index.clear();
      auto members = v.MemberBegin();
      rapidjson::SizeType kept = 0;
      auto name = [](const json::value& n) {
        return std::string_view(n.GetString(), n.GetStringLength());
      };
      for (rapidjson::SizeType i = 0; i < v.MemberCount(); ++i) {
        auto& m = members[i];
        if (auto seen = first_index.find(name(m.name)); seen != first_index.end()) {
          members[seen->second].value.Swap(m.value);
          continue;
        }
        if (i != kept) {
          members[kept].name.Swap(m.name);
          members[kept].value.Swap(m.value);
        }
        // A short name lives inside its value: view it where it stays.
        first_index.emplace(name(members[kept].name), kept);
        ++kept;
      }
      if (kept < v.MemberCount()) // RapidJSON asserts an object to erase from is not empty
        v.EraseMember(members + kept, v.MemberEnd());
      for (auto& m : v.GetObject())
        pending.push_back(&m.value);
    }
  }
}

} // namespace

json json::parse(std::string_view text) {
  json j;
  bounded_builder builder(j.s_->doc, text.find("\\u") != std::string_view::npos);
  rapidjson::Reader reader;
  rapidjson::MemoryStream stream(text.data(), text.size());
  auto read_all = [&](document&) {
    // The recursive reader: its iterative mode adds ~5% to parse + copy + dump.
    constexpr unsigned flags = rapidjson::kParseNumbersAsStringsFlag;
    // RapidJSON's check of the encoding nearly doubles the parse; ASCII text needs none.
    if (is_ascii(text))
      return !reader.Parse<flags>(stream, builder).IsError();
    return !reader.Parse<flags | rapidjson::kParseValidateEncodingFlag>(stream, builder).IsError();
  };
  j.s_->doc.Populate(read_all);
  // RapidJSON takes a NUL byte for the end of the text.
  if (!reader.HasParseError() && stream.Tell() != text.size())
    throw invalid_message("invalid JSON at offset " + std::to_string(stream.Tell())
                          + ": a NUL byte");
  if (!builder.refusal().empty())
    throw invalid_message("invalid JSON at offset " + std::to_string(reader.GetErrorOffset()) + ": "
                          + builder.refusal());
  if (reader.HasParseError())
    throw invalid_message("invalid JSON at offset " + std::to_string(reader.GetErrorOffset()) + ": "
                          + rapidjson::GetParseError_En(reader.GetParseErrorCode()));
  if (builder.may_repeat_keys())
    keep_last_of_repeated_keys(j.s_->doc);
  return j;
}

void json::dump_to(std::string& out) const {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  s_->doc.Accept(w);
  out.append(buf.GetString(), buf.GetSize());
}

std::string json::dump() const {
  std::string out;
  dump_to(out);
  return out;
}

json::document& json::doc() { return s_->doc; }
const json::document& json::doc() const { return s_->doc; }
json::document::AllocatorType& json::allocator() { return s_->pool; }

const json::value* json::find(std::string_view key) const {
  const auto& d = s_->doc;
  if (!d.IsObject())
    return nullptr;
  auto it = d.FindMember(value(rapidjson::StringRef(key.data(), key.size())));
  return it == d.MemberEnd() ? nullptr : &it->value;
}

std::optional<std::string_view> json::get_string(std::string_view key) const {
  auto v = find(key);
  if (!v || !v->IsString())
    return std::nullopt;
  return std::string_view(v->GetString(), v->GetStringLength());
}

std::optional<std::int64_t> json::get_int(std::string_view key) const {
  auto v = find(key);
  if (!v || !v->IsInt64())
    return std::nullopt;
  return v->GetInt64();
}

std::optional<double> json::get_number(std::string_view key) const {
  auto v = find(key);
  if (!v || !v->IsNumber())
    return std::nullopt;
  return v->GetDouble();
}

void json::set(std::string_view key, value v) {
  auto& d = s_->doc;
  if (!d.IsObject())
    throw invalid_message("cannot set field '" + std::string(key) + "': JSON is not an object");
  auto it = d.FindMember(value(rapidjson::StringRef(key.data(), key.size())));
  if (it != d.MemberEnd()) {
    it->value = std::move(v);
    return;
  }
  value name(key.data(), static_cast<rapidjson::SizeType>(key.size()), s_->pool);
  d.AddMember(name, v, s_->pool);
}

void json::set(std::string_view key, std::string_view s) {
  set(key, value(s.data(), static_cast<rapidjson::SizeType>(s.size()), s_->pool));
}

} // namespace streams
