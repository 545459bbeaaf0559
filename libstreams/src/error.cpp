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

const char* to_string(error_category c) {
  switch (c) {
    case error_category::user: return "user";
    case error_category::external: return "external";
    case error_category::internal: return "internal";
  }
  return "unknown";
}

const char* to_string(errc code) {
  switch (code) {
    case errc::invalid_pipeline: return "invalid_pipeline";
    case errc::step_setup: return "step_setup";
  }
  return "unknown";
}

error_kind kind_of(errc code) {
  switch (code) {
    case errc::invalid_pipeline:
    case errc::step_setup: return {error_category::user, false};
  }
  return {error_category::internal, false};
}

core_error::core_error(errc code, const std::string& what)
    : error(std::string("core.") + to_string(code), kind_of(code), what) {}

pipeline_error::pipeline_error(std::vector<std::string> problems)
    : core_error(errc::invalid_pipeline, join(problems)), problems_(std::move(problems)) {}

} // namespace streams
