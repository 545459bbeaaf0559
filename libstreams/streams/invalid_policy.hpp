#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace streams {

/// What becomes of a message a step rejects as invalid: a parser that cannot decode it, a
/// user function throwing `streams::invalid_message`, late data, a record the sink's broker
/// refuses for good. Chosen per source; every step downstream of it follows its source's.
enum class on_invalid {
  stop,        ///< the pipeline fails, naming the step, partition and offset (Sentry's default)
  drop,        ///< counted, logged and committed past
  dead_letter, ///< written to the dead-letter sink; committed past once it is delivered there
};

/// "stop", "drop" or "dlq", as the deployment config writes them.
const char* to_string(on_invalid a);

/// How invalid messages of one source are handled, with arroyo's `DlqLimit`: past either
/// limit the pipeline fails instead of sending the message on to the dead letters.
struct invalid_policy {
  on_invalid action = on_invalid::stop;
  /// Per partition, invalid messages over valid ones; past it the pipeline stops.
  std::optional<double> max_invalid_ratio;
  /// Per partition, invalid messages in a row; past it the pipeline stops.
  std::optional<std::uint64_t> max_consecutive_count;
};

/// Counts a source's invalid messages per partition against an `invalid_policy`'s limits, as
/// arroyo's `DlqLimitState` does: the valid messages are the offsets between the invalid ones,
/// counted from the first offset the source handed out, so the happy path costs nothing.
class invalid_limit {
public:
  explicit invalid_limit(invalid_policy policy) : policy_(policy) {}

  /// Records the invalid message at `offset` of `partition`, whose first offset this run was
  /// `first`; an empty string while within the limits, else which limit it passed and how.
  std::string record(std::int32_t partition, std::int64_t first, std::int64_t offset);

private:
  struct counts {
    std::int64_t last = -1; ///< the last invalid offset
    std::uint64_t valid = 0;
    std::uint64_t invalid = 0;
    std::uint64_t consecutive = 0;
  };
  invalid_policy policy_;
  std::map<std::int32_t, counts> partitions_;
};

} // namespace streams
