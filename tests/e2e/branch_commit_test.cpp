// Commits through broadcast and router (Sentry Streams' commits stall with broadcast): an
// offset is done once every copy on every branch is delivered or dropped, and the group's
// committed offsets reach the end while the pipeline keeps running.

#include "e2e_support.hpp"

#include "kafka/kafka_test_support.hpp"
#include "streams/kafka/kafka_sink.hpp"
#include "streams/kafka/kafka_source.hpp"

#include <doctest/doctest.h>

#include <map>
#include <set>

using namespace streams;
using namespace streams::e2e;

namespace {

std::multiset<int> ids_in(const std::vector<record>& records) {
  std::multiset<int> ids;
  for (auto& r : records)
    ids.insert(id_of(r.value));
  return ids;
}

} // namespace

TEST_SUITE("e2e.branch_commits") {
  TEST_CASE("broadcast to a copy branch and a router whose branches filter and fan out") {
    kafka::embedded_broker broker(1, {{"in", 4}, {"copies", 2}, {"evens", 2}, {"odds", 2}});
    auto boot = broker.bootstrap_servers();
    const int total = 3000;
    kafka::test::produce_with_python(boot, "in", total, "m", 11);

    // in → tag → broadcast ┬ all:    copy_mark → copies
    //                      └ routed: by_parity ┬ even: even_mark → evens
    //                                          └ odd:  no_sevens → twice → odds
    auto p = std::make_unique<pipeline>("branches");
    auto copies = p->source("in", sources::kafka(source_config_for(broker, "in", "branches")))
                      .map("tag", [](const bytes& b) { return b; })
                      .broadcast("fan", {"all", "routed"});
    copies.branch("all")
        .map("copy_mark", [](const bytes& b) { return b + "/copy"; })
        .sink("copies_out", sinks::kafka(sink_config_for(broker, "copies")));
    auto routes = copies.branch("routed").route("by_parity", {"even", "odd"}, [](const bytes& b) {
      return id_of(b) % 2 == 0 ? "even" : "odd";
    });
    routes.branch("even")
        .map("even_mark", [](const bytes& b) { return b + "/even"; })
        .sink("evens_out", sinks::kafka(sink_config_for(broker, "evens")));
    routes.branch("odd")
        .filter("no_sevens", [](const bytes& b) { return id_of(b) % 7 != 0; })
        .flat_map("twice",
                  [](const bytes& b) {
                    return std::vector<bytes>{b + "/odd1", b + "/odd2"};
                  })
        .sink("odds_out", sinks::kafka(sink_config_for(broker, "odds")));
    running_pipeline run(std::move(p));

    // Without a stop: the cadence commits cover every offset, so no branch holds one back.
    auto ends = end_offsets(boot, "in");
    CHECK(wait_committed_to_end(boot, "in", "branches", 60s) == ends);
    auto result = run.stop();
    INFO(test::failure_text(result));
    REQUIRE(result.ok);
    CHECK(committed_offsets(boot, "in", "branches") == ends);

    std::multiset<int> all, evens, odds_twice;
    for (int i = 0; i < total; ++i) {
      all.insert(i);
      if (i % 2 == 0)
        evens.insert(i);
      else if (i % 7 != 0)
        odds_twice.insert({i, i});
    }
    auto copies_out = read_topic(boot, "copies");
    auto evens_out = read_topic(boot, "evens");
    auto odds_out = read_topic(boot, "odds");
    CHECK_MESSAGE(ids_in(copies_out) == all, difference(ids_in(copies_out), all));
    CHECK_MESSAGE(ids_in(evens_out) == evens, difference(ids_in(evens_out), evens));
    CHECK_MESSAGE(ids_in(odds_out) == odds_twice, difference(ids_in(odds_out), odds_twice));
    for (auto& r : copies_out)
      CHECK(r.value.find("/copy") != std::string::npos);
    for (auto& r : evens_out)
      CHECK(r.value.find("/even") != std::string::npos);
    std::size_t first = 0, second = 0;
    for (auto& r : odds_out) {
      first += r.value.find("/odd1") != std::string::npos;
      second += r.value.find("/odd2") != std::string::npos;
    }
    CHECK(first == odds_twice.size() / 2);
    CHECK(second == odds_twice.size() / 2);
    // Keys and headers survive broadcast, router and flat_map.
    for (auto& r : odds_out) {
      REQUIRE(r.key);
      CHECK(*r.key == "k" + std::to_string(id_of(r.value) % 11));
      CHECK(r.hdrs.front() == header{"h", std::to_string(id_of(r.value))});
    }
  }
}
