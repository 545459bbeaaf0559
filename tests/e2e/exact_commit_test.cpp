// Exact commits (DESIGN.md idea 3) as an independent client sees them: after a clean stop the
// group's committed offset of each partition is exactly the offset after the last message the
// pipeline took, filtered messages included; a pipeline resuming in the group neither repeats
// nor skips anything.

#include "e2e_support.hpp"

#include "kafka/kafka_test_support.hpp"
#include "streams/kafka/kafka_sink.hpp"
#include "streams/kafka/kafka_source.hpp"

#include <doctest/doctest.h>

#include <map>
#include <set>
#include <thread>

using namespace streams;
using namespace streams::e2e;

namespace {

bool dropped(const bytes& value) { return id_of(value) % 3 == 0; }

/// in → filter (drops every third id) → map (appends "@partition:offset") → out.
std::unique_ptr<pipeline> filtering_pipeline(const kafka::embedded_broker& broker,
                                             const std::string& group, counter taken,
                                             bool throttled) {
  auto p = std::make_unique<pipeline>("exact-commits");
  p->source("in", sources::kafka(source_config_for(broker, "in", group)))
      .filter("drop_thirds",
              [taken, throttled](const bytes& b) {
                // Throttled (about 10,000 messages/s at most), the pipeline is surely still
                // reading when the test stops it.
                auto n = ++*taken;
                if (throttled && n % 10 == 0)
                  std::this_thread::sleep_for(1ms);
                return !dropped(b);
              })
      .map("locate", [](const bytes& b, const message& m) { return b + "@" + origin_text(m); })
      .sink("out", sinks::kafka(sink_config_for(broker, "out")));
  return p;
}

/// The input offsets, by partition, that the outputs came from.
std::map<std::int32_t, std::vector<std::int64_t>> origins_in(const std::vector<record>& out) {
  std::map<std::int32_t, std::vector<std::int64_t>> by_partition;
  for (auto& r : out) {
    auto at = r.value.find('@');
    auto colon = r.value.find(':', at);
    by_partition[std::stoi(r.value.substr(at + 1, colon - at - 1))].push_back(
        std::stoll(r.value.substr(colon + 1)));
  }
  return by_partition;
}

} // namespace

TEST_SUITE("e2e.exact_commits") {
  TEST_CASE("a clean stop commits exactly past the last message taken, a resumed run the rest") {
    kafka::embedded_broker broker(1, {{"in", 4}, {"out", 4}});
    auto boot = broker.bootstrap_servers();
    const int total = 20000;
    kafka::test::produce_with_python(boot, "in", total, "m", 13);
    auto in = read_topic(boot, "in");
    REQUIRE(in.size() == total);
    std::map<std::pair<std::int32_t, std::int64_t>, std::string> value_at;
    for (auto& r : in)
      value_at[{r.partition, r.offset}] = r.value;

    // First run: stopped mid-stream.
    auto taken = make_counter();
    {
      running_pipeline run(filtering_pipeline(broker, "exact", taken, true));
      REQUIRE(test::eventually([&] { return *taken >= 4000; }, 60s));
      auto result = run.stop();
      INFO(test::failure_text(result));
      REQUIRE(result.ok);
    }
    auto committed = committed_offsets(boot, "in", "exact");
    auto ends = end_offsets(boot, "in");
    auto out = read_topic(boot, "out");
    auto delivered = origins_in(out);
    std::int64_t committed_total = 0;
    for (auto [partition, end] : ends) {
      auto c = committed.at(partition);
      if (c == no_offset)
        c = 0;
      committed_total += c;
      CHECK(c <= end);
      // What the run delivered from this partition is exactly every kept message below the
      // committed offset: nothing committed that was not delivered or dropped, and nothing
      // delivered (or filtered) whose offset was left uncommitted.
      std::vector<std::int64_t> expected;
      for (std::int64_t o = 0; o < c; ++o)
        if (!dropped(value_at.at({partition, o})))
          expected.push_back(o);
      CHECK_MESSAGE(delivered[partition] == expected, "partition " << partition);
    }
    CHECK(committed_total == static_cast<std::int64_t>(*taken));
    REQUIRE_MESSAGE(committed_total < total, "the first run was to stop mid-stream");
    REQUIRE(committed_total >= 4000);

    // Second run, same group: it takes exactly what the first left.
    auto resumed = make_counter();
    {
      running_pipeline run(filtering_pipeline(broker, "exact", resumed, false));
      REQUIRE(test::eventually(
          [&] { return *resumed >= static_cast<std::size_t>(total - committed_total); }, 60s));
      std::this_thread::sleep_for(300ms); // anything beyond would show up now
      auto result = run.stop();
      INFO(test::failure_text(result));
      REQUIRE(result.ok);
    }
    CHECK(*resumed == static_cast<std::size_t>(total - committed_total));
    CHECK(committed_offsets(boot, "in", "exact") == ends);
    // Every kept message exactly once over both runs.
    out = read_topic(boot, "out");
    std::multiset<std::string> outputs;
    for (auto& r : out)
      outputs.insert(r.value.substr(0, r.value.find('@')));
    std::multiset<std::string> expected;
    for (auto& r : in)
      if (!dropped(r.value))
        expected.insert(r.value);
    CHECK_MESSAGE(outputs == expected, difference(outputs, expected));
  }

  TEST_CASE("filtered messages are committed too, also at the end of a partition, while running") {
    kafka::embedded_broker broker(1, {{"in", 1}, {"out", 1}});
    auto boot = broker.bootstrap_servers();
    // Ids 0..5 at offsets 0..5; the filter drops 3 (the middle) and 5 (the last).
    kafka::test::produce_with_python(boot, "in", 6, "m", 1);
    auto p = std::make_unique<pipeline>("filtered-commits");
    p->source("in", sources::kafka(source_config_for(broker, "in", "filtered")))
        .filter("keep", [](const bytes& b) { return id_of(b) != 3 && id_of(b) != 5; })
        .sink("out", sinks::kafka(sink_config_for(broker, "out")));
    running_pipeline run(std::move(p));
    // The cadence commits reach the end without a stop: a filtered offset counts as done.
    CHECK(wait_committed_to_end(boot, "in", "filtered", 30s) == offsets{{0, 6}});
    auto result = run.stop();
    REQUIRE(result.ok);
    std::vector<std::string> values;
    for (auto& r : read_topic(boot, "out"))
      values.push_back(r.value);
    CHECK(values == std::vector<std::string>{"m-0", "m-1", "m-2", "m-4"});
    CHECK(committed_offsets(boot, "in", "filtered") == offsets{{0, 6}});
  }
}
