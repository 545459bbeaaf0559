// Any bytes given to json::parse: an invalid_message or a document that copies, dumps, and
// parses back to the same text (so what streams writes is always valid JSON).

#include "streams/error.hpp"
#include "streams/json.hpp"

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::optional<streams::json> parsed;
  try {
    parsed = streams::json::parse(text);
  } catch (const streams::invalid_message&) {
    return 0;
  }
  // What parsed must dump as JSON that parses back (an exception here is a finding too).
  streams::json copy = *parsed;
  auto dumped = copy.dump();
  if (streams::json::parse(dumped).dump() != dumped)
    std::abort();
  return 0;
}
