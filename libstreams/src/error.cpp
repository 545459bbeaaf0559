#include "streams/error.hpp"

namespace streams {

namespace {

std::string join(const std::vector<std::string>& lines) {
  std::string out = "invalid pipeline:";
  for (auto& l : lines)
    out += "\n  " + l;
  return out;
}

} // namespace

pipeline_error::pipeline_error(std::vector<std::string> problems)
    : std::runtime_error(join(problems)), problems_(std::move(problems)) {}

} // namespace streams
