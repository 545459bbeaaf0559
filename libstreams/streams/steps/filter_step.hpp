#pragma once

#include "streams/step_operator.hpp"

#include <functional>

namespace streams {

/// Keeps the messages for which the predicate is true; the others are dropped on purpose.
class filter_step : public step_operator {
public:
  using predicate = std::function<bool(const message&)>;
  explicit filter_step(predicate p) : p_(std::move(p)) {}
  void process(message& m, emitter& out) override;

private:
  predicate p_;
};

} // namespace streams
