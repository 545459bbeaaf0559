// Two Kafka sources in one pipeline (Sentry Streams allows one per process): each reads its
// topic as its own group, and each commits exactly its own offsets, though their partition
// ids overlap.

#include "e2e_support.hpp"

#include "kafka/kafka_test_support.hpp"
#include "streams/kafka/kafka_sink.hpp"
#include "streams/kafka/kafka_source.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace streams;
using namespace streams::e2e;

TEST_SUITE("e2e.two_sources") {
  TEST_CASE("two sources in one pipeline each deliver and commit their own topic") {
    kafka::embedded_broker broker(1,
                                  {{"left", 2}, {"right", 3}, {"left-out", 1}, {"right-out", 1}});
    auto boot = broker.bootstrap_servers();
    kafka::test::produce_with_python(boot, "left", 400, "l", 5);
    kafka::test::produce_with_python(boot, "right", 900, "r", 7);

    // left → mark → left-out;  right → odd ids only → right-out
    auto p = std::make_unique<pipeline>("two-sources");
    p->source("left_in", sources::kafka(source_config_for(broker, "left", "two.left")))
        .map("mark", [](const bytes& b) { return b + "*"; })
        .sink("left_out", sinks::kafka(sink_config_for(broker, "left-out")));
    p->source("right_in", sources::kafka(source_config_for(broker, "right", "two.right")))
        .filter("odd", [](const bytes& b) { return id_of(b) % 2 == 1; })
        .sink("right_out", sinks::kafka(sink_config_for(broker, "right-out")));
    running_pipeline run(std::move(p));

    // Both groups' cadence commits reach the end of their own topic, without a stop.
    CHECK(wait_committed_to_end(boot, "left", "two.left", 60s) == end_offsets(boot, "left"));
    CHECK(wait_committed_to_end(boot, "right", "two.right", 60s) == end_offsets(boot, "right"));
    auto result = run.stop();
    INFO(test::failure_text(result));
    REQUIRE(result.ok);

    std::multiset<std::string> left, right;
    for (auto& r : read_topic(boot, "left-out"))
      left.insert(r.value);
    for (auto& r : read_topic(boot, "right-out"))
      right.insert(r.value);
    std::multiset<std::string> expected_left, expected_right;
    for (int i = 0; i < 400; ++i)
      expected_left.insert("l-" + std::to_string(i) + "*");
    for (int i = 1; i < 900; i += 2)
      expected_right.insert("r-" + std::to_string(i));
    CHECK_MESSAGE(left == expected_left, difference(left, expected_left));
    CHECK_MESSAGE(right == expected_right, difference(right, expected_right));
  }
}
