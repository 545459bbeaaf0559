#include "streams/steps/filter_step.hpp"

namespace streams {

void filter_step::process(message& m, emitter& out) {
  if (p_(m))
    out.emit(0, std::move(m));
  else
    out.drop(std::move(m));
}

} // namespace streams
