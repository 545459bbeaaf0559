#include "streams/dead_letter.hpp"

#include "streams/json.hpp"
#include "streams/payload_type_name.hpp"

namespace streams {

message to_dead_letter(message m, const std::string& source, const std::string& step,
                       const std::string& reason) {
  bytes payload;
  if (m.payload_if<bytes>())
    payload = std::move(m.payload<bytes>());
  else if (auto j = m.payload_if<json>())
    payload = j->dump();
  else if (m.any_payload().has_value())
    m.add_header("streams-payload-type", detail::demangle(m.any_payload().type()));
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
