#include "streams/steps/header_filter_step.hpp"

#include "streams/error.hpp"

#include <charconv>

namespace streams {

void header_filter_step::process(message& m, emitter& out) {
  auto value = m.header(name_);
  if (!value || value->empty()) {
    out.drop(std::move(m));
    return;
  }
  std::int64_t n = 0;
  auto first = value->data();
  auto last = first + value->size();
  auto [end, ec] = std::from_chars(first, last, n);
  if (ec != std::errc{} || end != last)
    throw invalid_message("header '" + name_ + "' is not an integer: '" + *value + "'");
  if (n == value_)
    out.emit(0, std::move(m));
  else
    out.drop(std::move(m));
}

} // namespace streams
