#include "streams/steps/json_parser_step.hpp"

#include "streams/error.hpp"
#include "streams/json.hpp"

namespace streams {

void json_parser_step::process(message& m, emitter& out) {
  auto parsed = json::parse(m.payload<bytes>());
  m.set_payload(std::move(parsed));
  out.emit(0, std::move(m));
}

void json_serializer_step::process(message& m, emitter& out) {
  bytes text;
  if (auto one = m.payload_if<json>()) {
    one->dump_to(text);
  } else if (auto many = m.payload_if<std::vector<json>>()) {
    text.push_back('[');
    for (std::size_t i = 0; i < many->size(); ++i) {
      if (i > 0)
        text.push_back(',');
      (*many)[i].dump_to(text);
    }
    text.push_back(']');
  } else {
    throw invalid_message("serializer expects a JSON document or a batch of them");
  }
  m.set_payload(std::move(text));
  out.emit(0, std::move(m));
}

} // namespace streams
