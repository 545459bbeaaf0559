#include "streams/kafka/kafka_error.hpp"

namespace streams::kafka {

const char* to_string(errc code) {
  switch (code) {
    case errc::invalid_config: return "invalid_config";
    case errc::client_creation: return "client_creation";
    case errc::broker_command: return "broker_command";
    case errc::offset_reset: return "offset_reset";
    case errc::fatal: return "fatal";
    case errc::unreachable: return "unreachable";
  }
  return "unknown";
}

error_kind kind_of(errc code) {
  switch (code) {
    case errc::invalid_config:
    case errc::broker_command:
    case errc::offset_reset: return {error_category::user, false};
    case errc::client_creation: return {error_category::external, false};
    case errc::fatal: return {error_category::external, true};
    case errc::unreachable: return {error_category::external, true};
  }
  return {error_category::internal, false};
}

} // namespace streams::kafka
