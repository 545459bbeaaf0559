// Commits through a batch step: its inputs are committed only once the batch they went into
// has been delivered; while a batch is held, the committed offsets stay before its inputs.

#include "e2e_support.hpp"

#include "kafka/kafka_test_support.hpp"
#include "streams/kafka/kafka_sink.hpp"
#include "streams/kafka/kafka_source.hpp"

#include <doctest/doctest.h>

#include <map>
#include <set>
#include <sstream>
#include <thread>

using namespace streams;
using namespace streams::e2e;

namespace {

/// in → locate ("partition:offset") → batch → join (comma-separated) → out.
std::unique_ptr<pipeline> batching_pipeline(const kafka::embedded_broker& broker,
                                            const std::string& group, std::size_t size,
                                            counter located) {
  auto p = std::make_unique<pipeline>("batch-commits");
  p->source("in", sources::kafka(source_config_for(broker, "in", group)))
      .map("locate",
           [located](const bytes&, const message& m) {
             ++*located;
             return origin_text(m);
           })
      .batch("gather", size, 60s)
      .map("join",
           [](const std::vector<bytes>& items) {
             std::string joined;
             for (auto& i : items)
               joined += (joined.empty() ? "" : ",") + i;
             return joined;
           })
      .sink("out", sinks::kafka(sink_config_for(broker, "out")));
  return p;
}

/// The input offsets, by partition, that the delivered batches hold; each at most once.
std::map<std::int32_t, std::set<std::int64_t>> batched(const std::vector<record>& out) {
  std::map<std::int32_t, std::set<std::int64_t>> by_partition;
  for (auto& r : out) {
    std::istringstream items(r.value);
    for (std::string item; std::getline(items, item, ',');) {
      auto colon = item.find(':');
      auto added = by_partition[std::stoi(item.substr(0, colon))]
                       .insert(std::stoll(item.substr(colon + 1)))
                       .second;
      CHECK_MESSAGE(added, item << " twice");
    }
  }
  return by_partition;
}

std::set<std::int64_t> prefix(std::int64_t end) {
  std::set<std::int64_t> s;
  for (std::int64_t i = 0; i < end; ++i)
    s.insert(i);
  return s;
}

} // namespace

TEST_SUITE("e2e.batch_commits") {
  TEST_CASE("a held batch keeps its inputs uncommitted until the stop delivers it") {
    kafka::embedded_broker broker(1, {{"in", 2}, {"out", 1}});
    auto boot = broker.bootstrap_servers();
    kafka::test::produce_with_python(boot, "in", 300);
    auto located = make_counter();
    running_pipeline run(batching_pipeline(broker, "held", 1000, located));
    REQUIRE(test::eventually([&] { return *located == 300; }, 60s));

    // The batch (1000 messages or 60 s) holds all 300: over many commit intervals (200 ms)
    // nothing is committed and nothing is written.
    std::this_thread::sleep_for(1500ms);
    auto committed = committed_offsets(boot, "in", "held");
    CHECK(committed == offsets{{0, no_offset}, {1, no_offset}});
    CHECK(end_offsets(boot, "out") == offsets{{0, 0}});

    // Stopping flushes the batch; once it is delivered, everything is committed.
    auto result = run.stop();
    INFO(test::failure_text(result));
    REQUIRE(result.ok);
    auto ends = end_offsets(boot, "in");
    CHECK(committed_offsets(boot, "in", "held") == ends);
    auto out = read_topic(boot, "out");
    REQUIRE(out.size() == 1);
    auto inside = batched(out);
    for (auto [partition, end] : ends)
      CHECK(inside[partition] == prefix(end));
  }

  TEST_CASE("delivered batches commit their inputs while the partial one holds back the rest") {
    kafka::embedded_broker broker(1, {{"in", 2}, {"out", 1}});
    auto boot = broker.bootstrap_servers();
    kafka::test::produce_with_python(boot, "in", 350);
    auto located = make_counter();
    running_pipeline run(batching_pipeline(broker, "partial", 100, located));
    REQUIRE(test::eventually([&] { return *located == 350; }, 60s));
    // Three full batches of 100 go out at once; the last 50 wait for more (or 60 s).
    REQUIRE(test::eventually(
        [&] {
          auto e = end_offsets(boot, "out");
          return e.at(0) >= 3;
        },
        30s));
    auto out = read_topic(boot, "out");
    REQUIRE(out.size() == 3);
    auto inside = batched(out);
    auto ends = end_offsets(boot, "in");
    // The committed offset of each partition: right after the last of its offsets that a
    // delivered batch holds, which are a prefix of the partition.
    offsets expected;
    std::size_t in_batches = 0;
    for (auto [partition, end] : ends) {
      auto& held = inside[partition];
      in_batches += held.size();
      auto next = held.empty() ? 0 : *held.rbegin() + 1;
      CHECK(held == prefix(next));
      expected[partition] = held.empty() ? no_offset : next;
    }
    CHECK(in_batches == 300);
    auto committed = wait_committed_to_end(boot, "in", "partial", 2s); // does not get there
    CHECK(committed == expected);
    CHECK(committed != ends);
    std::this_thread::sleep_for(1s);
    CHECK(committed_offsets(boot, "in", "partial") == expected); // and stays

    auto result = run.stop();
    REQUIRE(result.ok);
    CHECK(committed_offsets(boot, "in", "partial") == ends);
    inside = batched(read_topic(boot, "out"));
    for (auto [partition, end] : ends)
      CHECK(inside[partition] == prefix(end));
  }
}
