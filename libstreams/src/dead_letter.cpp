#include "streams/dead_letter.hpp"

#include "streams/json.hpp"
#include "streams/payload_type_name.hpp"
#include "streams/wire.hpp"

#include <typeindex>

namespace streams {

message to_dead_letter(message m, const std::string& source, const std::string& step,
                       const std::string& reason, const payload_codec* codec) {
  bytes payload;
  auto& any = m.any_payload();
  if (m.payload_if<bytes>()) {
    payload = std::move(m.payload<bytes>());
  } else if (auto j = m.payload_if<json>()) {
    payload = j->dump();
  } else if (codec && any.has_value() && std::type_index(any.type()) == codec->id) {
    // A window's result, say: it has no source record of its own to stand for it.
    codec->encode(any, payload);
    m.add_header("streams-payload-codec", codec->type);
  } else if (any.has_value()) {
    m.add_header("streams-payload-type", detail::demangle(any.type()));
  }
  m.set_payload(std::move(payload));
  m.add_header("streams-source", source);
  m.add_header("streams-step", step);
  m.add_header("streams-error", reason);
  m.add_header("streams-rejected-at", std::to_string(now_ms()));
  for (auto& o : m.lineage().origins())
    m.add_header("streams-origin", std::to_string(o.source) + "/" + std::to_string(o.partition)
                                       + "/" + std::to_string(o.offset));
  return m;
}

std::string last_header(const message& m, const std::string& name) {
  for (auto h = m.headers().rbegin(); h != m.headers().rend(); ++h)
    if (h->name == name)
      return h->value;
  return "";
}

} // namespace streams
