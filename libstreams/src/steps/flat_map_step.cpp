#include "streams/steps/flat_map_step.hpp"

namespace streams {

void flat_map_step::process(message& m, emitter& out) {
  auto results = f_(m);
  if (results.empty()) {
    out.drop(std::move(m));
    return;
  }
  auto shares = m.lineage().split(results.size());
  for (std::size_t i = 1; i < results.size(); ++i) {
    auto copy = m.derive(std::move(results[i]));
    copy.set_lineage(std::move(shares[i - 1]));
    out.emit(0, std::move(copy));
  }
  m.any_payload() = std::move(results[0]);
  out.emit(0, std::move(m));
}

} // namespace streams
