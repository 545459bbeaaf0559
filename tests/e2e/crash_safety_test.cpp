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

    // Where each input id sits in the input topic, so an output record maps back to it.
    std::map<int, std::pair<std::int32_t, std::int64_t>> position_of;
    for (auto& r : read_topic(boot, "e2e-in"))
      position_of[id_of(r.value)] = {r.partition, r.offset};

    std::size_t relayed_total = 0;
    // Per kill: output records from at or past the offsets committed at that moment. The next
    // run resumes from those offsets, so only these can be written again.
    std::vector<std::size_t> uncommitted_at_kill;
    for (std::size_t run = 0; run < kill_after.size(); ++run) {
      relay_process p(dir, boot, config, "run" + std::to_string(run), rate, commit_interval);
      INFO("run " << run << " stderr:\n" << p.process().err());
      REQUIRE(test::eventually([&] { return p.relayed() >= kill_after[run]; }, 90s));
      p.process().signal(SIGKILL);
      REQUIRE(p.process().wait(10s) == 128 + SIGKILL);
      relayed_total += p.relayed();
      auto committed = committed_offsets(boot, "e2e-in", "crash");
      std::size_t uncommitted = 0;
      for (auto& r : read_topic(boot, "e2e-out")) {
        auto [partition, offset] = position_of.at(id_of(r.value));
        if (offset >= std::max<std::int64_t>(committed.at(partition), 0))
          ++uncommitted;
      }
      uncommitted_at_kill.push_back(uncommitted);
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

    // The bound, independent of scheduling: a duplicate is an output that a restarted run wrote
    // again, which it can only do from the offsets committed at the kill; so there are no more
    // duplicates than outputs past those offsets at the kills. A run that resumed from earlier
    // offsets, or a kill that left commits far behind delivery, breaks it.
    std::size_t repeatable = 0;
    for (auto n : uncommitted_at_kill)
      repeatable += n;
    MESSAGE("relayed " << relayed_total << " messages for " << total << " inputs; " << duplicates
                       << " duplicates in the output after 3 kills; " << repeatable
                       << " outputs were past the committed offsets at the kills");
    CHECK(duplicates <= repeatable);
    // And the cadence: a run commits what is delivered every `commit_interval` (200 ms, 500
    // messages at this rate), so at a kill little is delivered and uncommitted. Generous for a
    // busy machine: ten intervals' worth per kill.
    for (auto n : uncommitted_at_kill)
      CHECK(n <= static_cast<std::size_t>(
                rate * 10 * std::chrono::duration<double>(commit_interval).count()));
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
