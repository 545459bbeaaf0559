#include "streams/steps/map_step.hpp"

namespace streams {

void map_step::process(message& m, emitter& out) {
  auto result = f_(m);
  m.any_payload() = std::move(result);
  out.emit(0, std::move(m));
}

} // namespace streams
