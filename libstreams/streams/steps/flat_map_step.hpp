#pragma once

#include "streams/step_operator.hpp"

#include "streams/value.hpp"
#include <functional>
#include <vector>

namespace streams {

/// Turns each message into zero or more, each carrying one of the returned payloads and a
/// share of the input's lineage. Zero outputs count as a deliberate drop.
class flat_map_step : public step_operator {
public:
  using function = std::function<std::vector<value>(const message&)>;
  explicit flat_map_step(function f) : f_(std::move(f)) {}
  void process(message& m, emitter& out) override;

private:
  function f_;
};

} // namespace streams
