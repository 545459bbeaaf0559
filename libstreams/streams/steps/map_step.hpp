#pragma once

#include "streams/step_operator.hpp"

#include "streams/value.hpp"
#include <functional>

namespace streams {

/// Replaces each payload by what the function returns; everything else stays.
class map_step : public step_operator {
public:
  using function = std::function<value(const message&)>;
  explicit map_step(function f) : f_(std::move(f)) {}
  void process(message& m, emitter& out) override;

private:
  function f_;
};

} // namespace streams
