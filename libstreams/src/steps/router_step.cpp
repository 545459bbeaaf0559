#include "streams/steps/router_step.hpp"

#include "streams/error.hpp"

#include <algorithm>

namespace streams {

void router_step::process(message& m, emitter& out) {
  auto key = f_(m);
  auto it = std::find(branches_.begin(), branches_.end(), key);
  if (it == branches_.end())
    throw invalid_message("routing key '" + key + "' names no branch");
  out.emit(static_cast<std::size_t>(it - branches_.begin()), std::move(m));
}

void broadcast_step::process(message& m, emitter& out) {
  auto shares = m.lineage().split(branches_);
  for (std::size_t i = 1; i < branches_; ++i) {
    message copy = m; // payload copies are deep: json, strings and vectors are values
    copy.set_lineage(std::move(shares[i - 1]));
    out.emit(i, std::move(copy));
  }
  out.emit(0, std::move(m));
}

} // namespace streams
