// Any bytes given to json::parse: an invalid_message or a document that copies, dumps, and
// parses back to the same text (so what streams writes is always valid JSON).

#include "streams/error.hpp"
#include "streams/json.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto parsed = streams::json::parse(text);
    streams::json copy = parsed;
    auto dumped = copy.dump();
    if (streams::json::parse(dumped).dump() != dumped)
      std::abort();
  } catch (const streams::invalid_message&) {}
  return 0;
}
