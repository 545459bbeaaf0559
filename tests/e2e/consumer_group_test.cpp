// Pipeline instances in one consumer group: `streams` processes running the relay app split
// the partitions, and a member joining or leaving while data flows loses nothing.

#include "e2e_support.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <map>
#include <set>

using namespace streams;
using namespace streams::e2e;

TEST_SUITE("e2e.consumer_group") {
  TEST_CASE("two instances split the partitions, a third joins and one leaves: nothing is lost") {
    kafka::embedded_broker broker(1, {{"e2e-in", 4}, {"e2e-out", 4}});
    auto boot = broker.bootstrap_servers();
    test::temp_directory dir;
    auto config = dir.file("relay.yaml");
    write_relay_config(config, "group");

    // Data flows through every change of membership: 1,000 messages/s for up to 60 s.
    background_producer producer(boot, "e2e-in", 60000, 1000);

    relay_process a(dir, boot, config, "a");
    relay_process b(dir, boot, config, "b");
    // The mock broker gives the first member 3 s for others to join, so both get a share
    // (2 of the 4 partitions each) and both relay.
    REQUIRE(test::eventually([&] { return a.relayed() >= 100 && b.relayed() >= 100; }, 30s));
    // Let the two commit on every partition before the group changes: the mock broker refuses
    // commits during a rebalance, so a member revoked before its first cadence commit leaves
    // the next owner to start over (duplicates, which this test allows, but less telling).
    REQUIRE(test::eventually(
        [&] {
          for (auto [partition, offset] : committed_offsets(boot, "e2e-in", "group"))
            if (offset == no_offset)
              return false;
          return true;
        },
        30s));

    relay_process c(dir, boot, config, "c");
    REQUIRE(test::eventually([&] { return c.relayed() >= 100; }, 30s));

    // A leaves cleanly (SIGTERM: drain, commit, leave the group); B and C take its share.
    a.process().signal(SIGTERM);
    CHECK(a.process().wait(30s) == 0);
    auto remaining = b.relayed() + c.relayed();
    REQUIRE(test::eventually([&] { return b.relayed() + c.relayed() >= remaining + 2000; }, 30s));

    producer.stop();
    auto ends = end_offsets(boot, "e2e-in");
    CHECK(wait_committed_to_end(boot, "e2e-in", "group", 60s) == ends);
    for (auto* p : {&b, &c}) {
      p->process().signal(SIGTERM);
      CHECK(p->process().wait(30s) == 0);
    }

    auto in = read_topic(boot, "e2e-in");
    auto out = read_topic(boot, "e2e-out");
    std::set<std::string> inputs, outputs;
    std::map<std::string, std::size_t> by_instance;
    for (auto& r : in)
      inputs.insert(r.value);
    for (auto& r : out) {
      auto bar = r.value.rfind('|');
      REQUIRE(bar != std::string::npos);
      outputs.insert(r.value.substr(0, bar));
      ++by_instance[r.value.substr(bar + 1)];
    }
    MESSAGE(in.size() << " inputs, " << out.size() << " outputs: " << by_instance["a"]
                      << " relayed by a, " << by_instance["b"] << " by b, " << by_instance["c"]
                      << " by c");
    REQUIRE(in.size() > 5000);
    // Nothing lost: every input is in the output (repeats after rebalances are allowed), and
    // nothing else is.
    CHECK_MESSAGE(outputs == inputs, difference(outputs, inputs));
    CHECK(by_instance.size() == 3);
    for (auto name : {"a", "b", "c"})
      CHECK_MESSAGE(by_instance[name] > 0, name << " relayed nothing");
  }
}
