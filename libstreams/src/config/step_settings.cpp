#include "streams/config/step_settings.hpp"

namespace streams::config {

std::string_view to_string(offset_reset r) {
  switch (r) {
    case offset_reset::earliest: return "earliest";
    case offset_reset::latest: return "latest";
    case offset_reset::error: return "error";
  }
  return "unknown";
}

} // namespace streams::config
