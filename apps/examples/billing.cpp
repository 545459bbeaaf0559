// Sentry Streams' billing: outcomes counted in windows of three (over all outcomes, not per
// key), by outcome type, the outcome's `reason` followed by its `category` ("rate_limited" and
// 4 give "rate_limited4"); each window is written as a JSON object of the counts.

#include "examples.hpp"

#include "streams/sources/stream_source.hpp"

#include <map>

namespace streams::examples {

namespace {

/// The key an outcome is counted under, as Sentry's OutcomesBuffer builds it.
std::string outcome_type(const json& outcome) {
  if (!outcome.doc().IsObject())
    throw invalid_message("outcome is not a JSON object");
  std::string type;
  if (auto reason = outcome.find("reason")) { // `value["reason"] or ""`
    if (reason->IsString())
      type.append(reason->GetString(), reason->GetStringLength());
    else if (!reason->IsNull())
      throw invalid_message("outcome's 'reason' is neither a string nor null");
  }
  if (auto category = outcome.find("category")) { // `str(value["category"])`
    if (category->IsInt64())
      type += std::to_string(category->GetInt64());
    else if (category->IsString())
      type.append(category->GetString(), category->GetStringLength());
    else
      throw invalid_message("outcome's 'category' is neither an integer nor a string");
  }
  return type;
}

/// Sentry's OutcomesBuffer: how many outcomes of each type the window holds.
class outcomes_buffer {
public:
  void add(const json& outcome) { ++counts_[outcome_type(outcome)]; }
  void merge(const outcomes_buffer& other) {
    for (auto& [type, n] : other.counts_)
      counts_[type] += n;
  }
  std::map<std::string, std::uint64_t> result() const { return counts_; }
  void save(std::string& out) const { codec::encode(out, counts_); }
  static outcomes_buffer load(std::string_view in) {
    outcomes_buffer b;
    codec::decode(in, b.counts_);
    return b;
  }

private:
  std::map<std::string, std::uint64_t> counts_;
};

bytes counts_json(const windowed<std::map<std::string, std::uint64_t>>& w) {
  json out;
  for (auto& [type, n] : w.value)
    out.set(type, static_cast<std::int64_t>(n));
  return out.dump();
}

} // namespace

void billing(pipeline& p) {
  p.source("myinput", sources::stream("events"))
      .parse_json("myparser")
      .reduce<outcomes_buffer>("myreduce", windows::count(3))
      // Sentry's reducer hands its sink the dict itself; a Kafka sink here takes bytes.
      .map("serializer", counts_json)
      .sink("mysink", sinks::stream("transformed-events"));
}

} // namespace streams::examples
