// A pipeline started while its brokers are down waits for them, without failing, and then
// delivers and commits everything once they are up.

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

TEST_SUITE("e2e.broker_outage") {
  TEST_CASE("brokers down at start, then up: the pipeline proceeds and delivers everything") {
    kafka::embedded_broker broker(1, {{"in", 2}, {"out", 2}});
    auto boot = broker.bootstrap_servers();
    const int total = 500;
    kafka::test::produce_with_python(boot, "in", total);
    broker.set_down();

    auto seen = make_counter();
    auto p = std::make_unique<pipeline>("outage");
    p->source("in", sources::kafka(source_config_for(broker, "in", "outage")))
        .map("pass",
             [seen](const bytes& b) {
               ++*seen;
               return b + "!";
             })
        .sink("out", sinks::kafka(sink_config_for(broker, "out")));
    running_pipeline run(std::move(p));

    // Down: nothing comes, and nothing fails.
    auto ended = run.wait_for_end(3s);
    REQUIRE_FALSE(ended);
    CHECK(*seen == 0);

    broker.set_up();
    // librdkafka backs off reconnecting (up to reconnect.backoff.max.ms, 10 s by default).
    REQUIRE(test::eventually([&] { return *seen >= static_cast<std::size_t>(total); }, 60s));
    CHECK(wait_committed_to_end(boot, "in", "outage", 30s) == end_offsets(boot, "in"));
    auto result = run.stop();
    INFO(test::failure_text(result));
    REQUIRE(result.ok);

    std::set<int> ids;
    auto out = read_topic(boot, "out");
    for (auto& r : out) {
      CHECK(r.value.back() == '!');
      ids.insert(id_of(r.value));
    }
    CHECK(out.size() == static_cast<std::size_t>(total));
    CHECK(ids.size() == static_cast<std::size_t>(total));
  }
}

TEST_SUITE("e2e.broker_outage") {
  TEST_CASE("stopped while the brokers are down: the pipeline drains and ends") {
    kafka::embedded_broker broker(1, {{"in", 2}, {"out", 2}});
    broker.set_down();
    auto p = std::make_unique<pipeline>("outage-stop");
    p->source("in", sources::kafka(source_config_for(broker, "in", "outage-stop")))
        .map("pass", [](const bytes& b) { return b; })
        .sink("out", sinks::kafka(sink_config_for(broker, "out")));
    running_pipeline run(std::move(p));
    std::this_thread::sleep_for(2s);
    auto asked = std::chrono::steady_clock::now();
    auto result = run.stop(60s);
    CHECK(result.ok);
    CHECK(std::chrono::steady_clock::now() - asked < 20s);
  }
}

TEST_SUITE("e2e.broker_outage") {
  TEST_CASE("brokers down mid-stream until consumption stalls: everything is delivered once") {
    kafka::embedded_broker broker(1, {{"in", 2}, {"out", 2}});
    auto boot = broker.bootstrap_servers();
    const int total = 3000;
    // Produced at 1,500 messages/s, so that the topic holds small message sets (a fetch
    // returns whole sets: one set of the whole input would be prefetched at once).
    background_producer producer(boot, "in", total, 1500);
    REQUIRE(producer.finished(60s));

    // Paced at about 1,000 messages/s, so the outage comes mid-stream. The clients reconnect
    // within half a second of the brokers' return (librdkafka backs off up to 10 s by
    // default), so the group session (6 s) outlives the outage and no rebalance repeats
    // anything.
    std::map<std::string, std::string> fast_reconnect{{"reconnect.backoff.max.ms", "500"}};
    auto in = source_config_for(broker, "in", "outage-mid");
    in.override_params.insert(fast_reconnect.begin(), fast_reconnect.end());
    // The source's prefetch (queued.min.messages is 1,000,000) and the runtime's credit would
    // take the whole input ahead of the paced step before the outage: keep both small, so
    // that the input outlasts them and the outage really interrupts consumption.
    in.override_params["queued.max.messages.kbytes"] = "4";
    in.override_params["max.partition.fetch.bytes"] = "2048";
    auto options = test_options();
    options.credit = 32;
    options.max_batch = 16;
    auto out = sink_config_for(broker, "out");
    out.override_params = fast_reconnect;
    auto seen = make_counter();
    auto p = std::make_unique<pipeline>("outage-mid");
    p->source("in", sources::kafka(in))
        .map("pace",
             [seen](const bytes& b) {
               std::this_thread::sleep_for(1ms);
               ++*seen;
               return b;
             })
        .sink("out", sinks::kafka(out));
    running_pipeline run(std::move(p), options);
    REQUIRE(test::eventually([&] { return *seen >= 500; }, 30s));
    broker.set_down();
    // Consumption stalls once what was fetched and taken ahead is used up (a few hundred
    // messages): 300 ms without a message, where the step otherwise relays one every 1-2 ms.
    auto stalled = test::eventually(
        [&] {
          auto before = seen->load();
          std::this_thread::sleep_for(300ms);
          return seen->load() == before;
        },
        4s);
    CHECK(stalled);
    CHECK(*seen < static_cast<std::size_t>(total)); // it was down mid-stream
    broker.set_up();

    CHECK(wait_committed_to_end(boot, "in", "outage-mid", 60s) == end_offsets(boot, "in"));
    auto result = run.stop();
    INFO(test::failure_text(result));
    REQUIRE(result.ok);
    std::multiset<int> ids;
    for (auto& r : read_topic(boot, "out"))
      ids.insert(id_of(r.value));
    std::multiset<int> expected;
    for (int i = 0; i < total; ++i)
      expected.insert(i);
    // The idempotent producer's retries add no duplicates, and no rebalance happened (the
    // outage was shorter than the session): each message exactly once.
    CHECK_MESSAGE(ids == expected, difference(ids, expected));
  }
}
