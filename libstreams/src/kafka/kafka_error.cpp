#include "streams/kafka/kafka_error.hpp"

namespace streams::kafka {

const char* to_string(errc code) {
  switch (code) {
    case errc::invalid_config: return "invalid_config";
    case errc::client_creation: return "client_creation";
    case errc::broker_command: return "broker_command";
    case errc::offset_reset: return "offset_reset";
    case errc::fatal: return "fatal";
  }
  return "unknown";
}

} // namespace streams::kafka
