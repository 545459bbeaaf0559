// A message the sink can never deliver is an invalid message: without a dead-letter queue (the
// runtime's default, on_invalid stop) it fails the pipeline with an error naming the sink, and
// its offset is not committed: a fixed pipeline in the same group delivers it afterwards.
// (With a dead-letter queue it goes there: dead_letter_test.)

#include "e2e_support.hpp"

#include "kafka/kafka_test_support.hpp"
#include "streams/kafka/kafka_sink.hpp"
#include "streams/kafka/kafka_source.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace streams;
using namespace streams::e2e;

namespace {

/// in → grow (message `huge` becomes 20 kB when `oversized`) → out, whose producer refuses
/// messages over 10 kB.
std::unique_ptr<pipeline> growing_pipeline(const kafka::embedded_broker& broker, int huge,
                                           bool oversized, counter seen) {
  auto p = std::make_unique<pipeline>("delivery-error");
  auto out = sink_config_for(broker, "out");
  out.override_params["message.max.bytes"] = "10000";
  p->source("in", sources::kafka(source_config_for(broker, "in", "delivery")))
      .map("grow",
           [huge, oversized, seen](const bytes& b) {
             ++*seen;
             return oversized && id_of(b) == huge ? b + std::string(20000, '.') : b;
           })
      .sink("out", sinks::kafka(out));
  return p;
}

} // namespace

TEST_SUITE("e2e.delivery_error") {
  TEST_CASE("a message larger than the producer allows fails the pipeline and stays uncommitted") {
    kafka::embedded_broker broker(1, {{"in", 1}, {"out", 1}});
    auto boot = broker.bootstrap_servers();
    const int total = 200, huge = 120; // one partition: id i is at offset i
    kafka::test::produce_with_python(boot, "in", total, "m", 1);

    {
      auto seen = make_counter();
      running_pipeline run(growing_pipeline(broker, huge, true, seen));
      auto result = run.wait_for_end(60s);
      REQUIRE(result);
      CHECK_FALSE(result->ok);
      INFO(test::failure_text(*result));
      CHECK(test::failure_text(*result).find("sink 'out'") != std::string::npos);
      CHECK(test::failure_text(*result).find("size too large") != std::string::npos);
    }
    // Nothing at or past the refused message is committed.
    auto committed = committed_offsets(boot, "in", "delivery").at(0);
    CHECK(committed <= huge);
    std::set<int> delivered;
    for (auto& r : read_topic(boot, "out"))
      delivered.insert(id_of(r.value));
    CHECK(delivered.count(huge) == 0);
    // Whatever was committed was delivered.
    for (int i = 0; i < committed; ++i)
      CHECK_MESSAGE(delivered.count(i) == 1, "m-" << i << " committed, not delivered");

    // A fixed pipeline in the same group resumes at the committed offset: the refused message
    // is delivered now, and with it everything after.
    auto seen = make_counter();
    running_pipeline fixed(growing_pipeline(broker, huge, false, seen));
    CHECK(wait_committed_to_end(boot, "in", "delivery", 60s) == offsets{{0, total}});
    auto result = fixed.stop();
    REQUIRE(result.ok);
    CHECK(*seen == static_cast<std::size_t>(total - std::max<std::int64_t>(committed, 0)));
    delivered.clear();
    for (auto& r : read_topic(boot, "out"))
      delivered.insert(id_of(r.value));
    CHECK(delivered.size() == static_cast<std::size_t>(total));
  }
}
