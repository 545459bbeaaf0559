#include "streams/wire.hpp"

#include "streams/error.hpp"
#include "streams/state/state_store.hpp"

namespace streams {

namespace {

// The first byte of every message: a decoder of another version refuses it instead of
// misreading it.
constexpr std::uint8_t version = 1;

} // namespace

void encode_message(const message& m, const payload_codec& c, std::string& out) {
  if (std::type_index(m.any_payload().type()) != c.id)
    throw wire_error("a message with a payload of type " + detail::demangle(m.any_payload().type())
                     + " cannot be sent as " + c.type);
  codec::encode(out, version);
  c.encode(m.any_payload(), out);
  codec::encode(out, m.key().has_value());
  codec::encode(out, m.key().value_or(""));
  codec::encode(out, static_cast<std::uint32_t>(m.headers().size()));
  for (auto& h : m.headers()) {
    codec::encode(out, h.name);
    codec::encode(out, h.value);
  }
  codec::encode(out, m.timestamp());
  codec::encode(out, m.schema());
  auto origins = m.lineage().origins();
  codec::encode(out, static_cast<std::uint32_t>(origins.size()));
  for (auto& o : origins) {
    codec::encode(out, o.source);
    codec::encode(out, o.partition);
    codec::encode(out, o.offset);
    codec::encode(out, o.weight);
  }
}

message decode_message(std::string_view& in, const payload_codec& c) {
  try {
    std::uint8_t v = 0;
    codec::decode(in, v);
    if (v != version)
      throw wire_error("message of wire version " + std::to_string(v) + ", this node reads "
                       + std::to_string(version));
    message m;
    m.any_payload() = c.decode(in);
    bool has_key = false;
    std::string key;
    codec::decode(in, has_key);
    codec::decode(in, key);
    if (has_key)
      m.set_key(std::move(key));
    std::uint32_t n = 0;
    codec::decode(in, n);
    for (std::uint32_t i = 0; i < n; ++i) {
      header h;
      codec::decode(in, h.name);
      codec::decode(in, h.value);
      m.headers().push_back(std::move(h));
    }
    std::int64_t ts = 0;
    codec::decode(in, ts);
    m.set_timestamp(ts);
    std::string schema;
    codec::decode(in, schema);
    m.set_schema(std::move(schema));
    codec::decode(in, n);
    for (std::uint32_t i = 0; i < n; ++i) {
      origin o;
      codec::decode(in, o.source);
      codec::decode(in, o.partition);
      codec::decode(in, o.offset);
      codec::decode(in, o.weight);
      m.lineage().absorb(lineage(o));
    }
    return m;
  } catch (const state_error& e) { // the codec's error: truncated input
    throw wire_error(std::string("corrupt message on the wire: ") + e.what());
  } catch (const invalid_message& e) { // a JSON payload that does not parse
    throw wire_error(std::string("corrupt message on the wire: ") + e.what());
  }
}

std::string encode_messages(const std::vector<message>& batch, const payload_codec& c) {
  std::string out;
  for (auto& m : batch)
    encode_message(m, c, out);
  return out;
}

std::vector<message> decode_messages(std::string_view in, const payload_codec& c) {
  std::vector<message> out;
  while (!in.empty())
    out.push_back(decode_message(in, c));
  return out;
}

} // namespace streams
