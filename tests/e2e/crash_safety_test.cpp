// Crash safety: a `streams` process relaying a keyed, partitioned topic, killed with SIGKILL at
// several points mid-stream and restarted in the same group each time, delivers every input
// message at least once, and repeats no more than its commit cadence allows.

#include "e2e_support.hpp"

#include "kafka/kafka_test_support.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <map>
#include <set>

using namespace streams;
using namespace streams::e2e;

TEST_SUITE("e2e.crash_safety") {
  TEST_CASE("killed with SIGKILL three times mid-stream: nothing lost, duplicates bounded") {
    kafka::embedded_broker broker(1, {{"e2e-in", 4}, {"e2e-out", 4}});
    auto boot = broker.bootstrap_servers();
    const int total = 30000;
    // 30,000 small keyed messages: about 0.5 MB per partition, far below what the embedded
    // broker keeps, so everything can be produced before the first run.
    kafka::test::produce_with_python(boot, "e2e-in", total, "m", 16);

    test::temp_directory dir;
    auto config = dir.file("relay.yaml");
    write_relay_config(config, "crash");
    // The relay step is paced at `rate` messages/s, so each run processes a known amount
    // between its start and the kill; unpaced, the whole topic would take a fraction of a second.
    const double rate = 2500;
    // Commits every 200 ms: what a run takes from Kafka runs ahead of what it has relayed by
    // up to the credit between the steps (thousands of messages here), so a platform that
    // committed what it took rather than what was delivered would lose some at every kill.
    // With commits this frequent, the kill always lands close after one.
    const auto commit_interval = 200ms;
    // Kill points: messages relayed by the run (repeats of earlier runs included), chosen so
    // the three runs end around 20 %, 45 % and 70 % of the input.
    const std::vector<std::size_t> kill_after = {6000, 8000, 8000};

    std::size_t relayed_total = 0;
    for (std::size_t run = 0; run < kill_after.size(); ++run) {
      relay_process p(dir, boot, config, "run" + std::to_string(run), rate, commit_interval);
      INFO("run " << run << " stderr:\n" << p.process().err());
      REQUIRE(test::eventually([&] { return p.relayed() >= kill_after[run]; }, 90s));
      p.process().signal(SIGKILL);
      REQUIRE(p.process().wait(10s) == 128 + SIGKILL);
      relayed_total += p.relayed();
    }
    // The last run goes until everything is committed, then stops cleanly.
    relay_process last(dir, boot, config, "last", rate, commit_interval);
    {
      INFO("last run stderr:\n" << last.process().err());
      auto ends = end_offsets(boot, "e2e-in");
      CHECK(wait_committed_to_end(boot, "e2e-in", "crash", 120s) == ends);
      last.process().signal(SIGTERM);
      CHECK(last.process().wait(30s) == 0);
    }
    // The kills came mid-stream: the last run still had work to do.
    REQUIRE(last.relayed() > 0);
    relayed_total += last.relayed();

    auto out = read_topic(boot, "e2e-out");
    std::map<int, int> copies;
    for (auto& r : out)
      ++copies[id_of(r.value)];
    // Exactly the input's ids, each at least once.
    REQUIRE(copies.size() == static_cast<std::size_t>(total));
    CHECK(copies.begin()->first == 0);
    CHECK(copies.rbegin()->first == total - 1);
    std::size_t duplicates = out.size() - copies.size();
    MESSAGE("relayed " << relayed_total << " messages for " << total << " inputs; " << duplicates
                       << " duplicates in the output after 3 kills");

    // The bound. A run commits what is done every `commit_interval`, asynchronously, and the
    // local broker answers within milliseconds. At a kill, what is in the output but not
    // committed is what was delivered since the last commit (at most one interval's worth,
    // `rate` × 200 ms) plus what had been written but not yet acknowledged (a few
    // milliseconds' worth at this rate: the producer lingers 5 ms). The next run starts from
    // the committed offsets and repeats exactly that. Allow half a second more per kill for
    // scheduling on a busy machine: `rate` × 0.7 s per kill, 1,750 messages, 5,250 in all
    // (about 18 % of the input; expected is a tenth of that).
    auto bound =
        static_cast<std::size_t>(static_cast<double>(kill_after.size()) * rate
                                 * (std::chrono::duration<double>(commit_interval).count() + 0.5));
    CHECK(duplicates <= bound);
    CHECK(duplicates < static_cast<std::size_t>(total / 2));
    // The output holds no more than the runs relayed (their counts lag by < 50 each).
    CHECK(out.size() <= relayed_total + 50 * (kill_after.size() + 1));

    // Each key stays in one partition of the output, whichever run wrote it.
    std::map<std::string, std::set<std::int32_t>> partitions_of_key;
    for (auto& r : out)
      partitions_of_key[r.key.value_or("-")].insert(r.partition);
    CHECK(partitions_of_key.size() == 16);
    for (auto& [key, parts] : partitions_of_key)
      CHECK_MESSAGE(parts.size() == 1, "key " << key);
  }
}
