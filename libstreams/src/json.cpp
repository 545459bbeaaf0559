#include "streams/json.hpp"

#include "streams/error.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

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

json json::parse(std::string_view text) {
  json j;
  j.s_->doc.Parse(text.data(), text.size());
  if (j.s_->doc.HasParseError())
    throw invalid_message("invalid JSON at offset " + std::to_string(j.s_->doc.GetErrorOffset())
                          + ": " + rapidjson::GetParseError_En(j.s_->doc.GetParseError()));
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
