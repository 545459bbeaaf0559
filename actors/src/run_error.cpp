#include "streams/actors/run_error.hpp"

namespace streams {

const char* to_string(runtime_errc code) {
  switch (code) {
    case runtime_errc::invalid_message: return "invalid_message";
    case runtime_errc::dead_letter_limit: return "dead_letter_limit";
    case runtime_errc::restart_limit: return "restart_limit";
    case runtime_errc::step_failed: return "step_failed";
    case runtime_errc::connector_failed: return "connector_failed";
    case runtime_errc::drain_timeout: return "drain_timeout";
    case runtime_errc::actor_died: return "actor_died";
    case runtime_errc::node_lost: return "node_lost";
    case runtime_errc::wire_corrupt: return "wire_corrupt";
    case runtime_errc::pipeline_mismatch: return "pipeline_mismatch";
  }
  return "unknown";
}

error_kind kind_of(runtime_errc code) {
  switch (code) {
    case runtime_errc::invalid_message:
    case runtime_errc::dead_letter_limit:
    case runtime_errc::restart_limit:
    case runtime_errc::pipeline_mismatch: return {error_category::user, false};
    case runtime_errc::step_failed: return {error_category::user, true};
    case runtime_errc::connector_failed:
    case runtime_errc::drain_timeout:
    case runtime_errc::node_lost: return {error_category::external, true};
    case runtime_errc::actor_died:
    case runtime_errc::wire_corrupt: return {error_category::internal, false};
  }
  return {error_category::internal, false};
}

run_error::run_error(runtime_errc code, const std::string& what)
    : error(std::string("runtime.") + to_string(code), kind_of(code), what) {}

} // namespace streams
