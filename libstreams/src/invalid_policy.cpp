#include "streams/invalid_policy.hpp"

#include <algorithm>
#include <sstream>

namespace streams {

namespace {

/// 0.25 rather than std::to_string's 0.250000.
std::string shortest(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

} // namespace

const char* to_string(on_invalid a) {
  switch (a) {
    case on_invalid::stop: return "stop";
    case on_invalid::drop: return "drop";
    case on_invalid::dead_letter: return "dlq";
  }
  return "?";
}

std::string invalid_limit::record(std::int32_t partition, std::int64_t first, std::int64_t offset) {
  auto& c = partitions_[partition];
  if (offset <= c.last)
    return ""; // counted already: another piece of the same offset (a batch, a flat_map)
  auto previous = c.last < 0 ? first - 1 : c.last;
  auto between = static_cast<std::uint64_t>(std::max<std::int64_t>(0, offset - previous - 1));
  c.valid += between;
  c.consecutive = between == 0 && c.last >= 0 ? c.consecutive + 1 : 1;
  ++c.invalid;
  c.last = offset;
  auto where = "partition " + std::to_string(partition) + ": ";
  if (auto max = policy_.max_consecutive_count; max && c.consecutive > *max)
    return where + std::to_string(c.consecutive) + " invalid messages in a row, more than "
           + "max_consecutive_count " + std::to_string(*max);
  if (auto max = policy_.max_invalid_ratio;
      max && (c.valid == 0 || double(c.invalid) / double(c.valid) > *max))
    return where + std::to_string(c.invalid) + " invalid messages to " + std::to_string(c.valid)
           + " valid ones, more than max_invalid_ratio " + shortest(*max);
  return "";
}

} // namespace streams
