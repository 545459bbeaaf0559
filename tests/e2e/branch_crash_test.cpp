// Commits behind delivery through broadcast and router, as a `streams` process: the relay app
// broadcasts each message to a copy branch (e2e-out on the embedded broker) and, through a
// router by parity, to e2e-even or e2e-odd on a second broker in a process of its own. That
// broker is frozen (SIGSTOP) while the copy branch goes on delivering, and the pipeline is
// killed (SIGKILL) meanwhile: what the frozen branch had not delivered must not have been
// committed, so a restarted process in the same group delivers every input on every branch.
// A sink acknowledging the first delivered copy at full weight commits past the frozen
// branch's messages, and the restart never sees them again (tools/mutate.sh:
// sink-full-weight-e2e).

#include "e2e_support.hpp"

#include "kafka/kafka_test_support.hpp"
#include "support/kafka_mock.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <set>

using namespace streams;
using namespace streams::e2e;

TEST_SUITE("e2e.branch_crash") {
  TEST_CASE("killed while one branch's broker is frozen: every input reaches every branch after a "
            "restart") {
    kafka::embedded_broker broker(1, {{"e2e-in", 4}, {"e2e-out", 4}});
    test::kafka_mock second({"e2e-even:2", "e2e-odd:2"});
    auto boot = broker.bootstrap_servers();
    const int total = 3000;
    kafka::test::produce_with_python(boot, "e2e-in", total, "m", 16);

    test::temp_directory dir;
    auto config = dir.file("branches.yaml");
    write_relay_config(config, "branch-crash", R"(        even_output:
          bootstrap_servers: ["${envvar:E2E_SECOND_BOOTSTRAP}"]
          topic: e2e-even
        odd_output:
          bootstrap_servers: ["${envvar:E2E_SECOND_BOOTSTRAP}"]
          topic: e2e-odd
)");
    std::map<std::string, std::string> env{{"E2E_BRANCHES", "1"},
                                           {"E2E_SECOND_BOOTSTRAP", second.bootstrap()}};
    {
      // Paced at 1,000 messages/s: while the second broker is frozen, its producer has a few
      // requests in flight and the rest of the routed messages wait in its queue, which the
      // kill loses; the copy branch meanwhile delivers (and acknowledges) hundreds more.
      relay_process first(dir, boot, config, "first", 1000, 100ms, env);
      INFO("first run stderr:\n" << first.process().err());
      REQUIRE(test::eventually([&] { return first.relayed() >= 300; }, 60s));
      second.pause();
      auto at_pause = first.relayed();
      REQUIRE(test::eventually([&] { return first.relayed() >= at_pause + 700; }, 60s));
      // Commits happen every 100 ms: let a few come while the branch is frozen. (A commit
      // made now may only cover what the frozen broker acknowledged before it froze.)
      auto copies = [&] {
        std::size_t n = 0;
        for (auto& [p, end] : end_offsets(boot, "e2e-out"))
          n += static_cast<std::size_t>(end);
        return n;
      };
      REQUIRE(test::eventually([&] { return copies() >= at_pause + 600; }, 60s));
      first.process().signal(SIGKILL);
      REQUIRE(first.process().wait(10s) == 128 + SIGKILL);
    }
    second.resume();

    relay_process last(dir, boot, config, "last", 0, 100ms, env);
    {
      INFO("last run stderr:\n" << last.process().err());
      auto ends = end_offsets(boot, "e2e-in");
      CHECK(wait_committed_to_end(boot, "e2e-in", "branch-crash", 60s) == ends);
      last.process().signal(SIGTERM);
      CHECK(last.process().wait(30s) == 0);
    }

    std::set<int> want_all, want_even, want_odd;
    for (int i = 0; i < total; ++i) {
      want_all.insert(i);
      (i % 2 == 0 ? want_even : want_odd).insert(i);
    }
    auto ids = [](const std::vector<record>& records) {
      std::set<int> out;
      for (auto& r : records)
        out.insert(id_of(r.value));
      return out;
    };
    auto copy = ids(read_topic(boot, "e2e-out"));
    auto even = ids(read_topic(second.bootstrap(), "e2e-even"));
    auto odd = ids(read_topic(second.bootstrap(), "e2e-odd"));
    CHECK_MESSAGE(copy == want_all, difference(copy, want_all));
    CHECK_MESSAGE(even == want_even, difference(even, want_even));
    CHECK_MESSAGE(odd == want_odd, difference(odd, want_odd));
  }
}
