#include "streams/steps/flat_map_step.hpp"

namespace streams {

void flat_map_step::process(message& m, emitter& out) {
  auto results = f_(m);
  if (results.empty()) {
    out.drop(std::move(m));
    return;
  }
  // The copies are made before `m` is moved out, so that the outputs leave in the order
  // the function returned them, `m` (carrying the first result) first.
  auto shares = m.lineage().split(results.size());
  std::vector<message> rest;
  rest.reserve(results.size() - 1);
  for (std::size_t i = 1; i < results.size(); ++i) {
    rest.push_back(m.derive(std::move(results[i])));
    rest.back().set_lineage(std::move(shares[i - 1]));
  }
  m.any_payload() = std::move(results[0]);
  out.emit(0, std::move(m));
  for (auto& r : rest)
    out.emit(0, std::move(r));
}

} // namespace streams
