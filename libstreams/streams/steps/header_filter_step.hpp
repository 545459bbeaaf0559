#pragma once

#include "streams/step_operator.hpp"

#include <cstdint>
#include <string>

namespace streams {

/// Keeps a message when its header `name` holds the decimal integer `value`. A missing or
/// empty header, or another number, drops it; a value that is not an integer is an
/// invalid message.
class header_filter_step : public step_operator {
public:
  header_filter_step(std::string name, std::int64_t value)
      : name_(std::move(name)), value_(value) {}
  void process(message& m, emitter& out) override;

private:
  std::string name_;
  std::int64_t value_;
};

} // namespace streams
