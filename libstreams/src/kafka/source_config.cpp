#include "streams/kafka/source_config.hpp"

namespace streams::kafka {

std::string_view to_string(offset_reset r) {
  switch (r) {
    case offset_reset::earliest: return "earliest";
    case offset_reset::latest: return "latest";
    case offset_reset::error: return "error";
  }
  return "earliest";
}

std::optional<offset_reset> parse_offset_reset(std::string_view text) {
  for (auto r : {offset_reset::earliest, offset_reset::latest, offset_reset::error})
    if (to_string(r) == text)
      return r;
  return std::nullopt;
}

std::string default_group(std::string_view source_step) {
  return "pipeline-" + std::string(source_step);
}

} // namespace streams::kafka
