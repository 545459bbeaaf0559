// Crash safety of state: a `streams` process counting messages per key in windows, killed
// with SIGKILL at several points mid-stream and restarted each time, ends with exactly the
// counts its input implies, read back by an independent client: nothing lost, nothing
// counted twice. A window emitted again after a crash is the same window with the same count.

#include "e2e_support.hpp"

#include "kafka/kafka_test_support.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

using namespace streams;
using namespace streams::e2e;

namespace {

const int total = 16000;
const int keys = 16; // 1000 messages a key: 100 full windows of 10 each
const std::size_t window = 10;
const double rate = 2500;
const auto commit_interval = 200ms;

/// Writes the config of a keyed count at `parallelism`, consumer group `group`, with the
/// state replicated to the topic e2e-state when `changelog`.
void write_count_config(const std::string& config, const std::string& group,
                        std::size_t parallelism, bool changelog) {
  write_relay_config(config, group,
                     "        counts:\n          parallelism: " + std::to_string(parallelism)
                         + "\n");
  if (changelog)
    std::ofstream(config, std::ios::app) << "state_changelog:\n  bootstrap_servers: "
                                            "[\"${envvar:STREAMS_BOOTSTRAP_SERVERS}\"]\n  "
                                            "topic: e2e-state\n";
}

/// With `elsewhere`, every run starts with an empty state directory, as a process on another
/// machine would, and the state comes back from the changelog topic.
void killed_and_restarted(std::size_t parallelism, bool elsewhere = false) {
  kafka::embedded_broker broker(1, {{"e2e-in", 4}, {"e2e-out", 4}, {"e2e-state", 1}});
  auto boot = broker.bootstrap_servers();
  kafka::test::produce_with_python(boot, "e2e-in", total, "m", keys);

  test::temp_directory dir;
  auto config = dir.file("counts.yaml");
  auto group = "counts-" + std::to_string(parallelism) + (elsewhere ? "-elsewhere" : "");
  write_count_config(config, group, parallelism, elsewhere);
  std::map<std::string, std::string> env{{"E2E_COUNT_WINDOW", std::to_string(window)}};
  // Kills after the run has relayed this many (repeats of earlier runs included), at points
  // that fall inside windows and between checkpoints.
  const std::vector<std::size_t> kill_after = {2950, 3170, 3330};
  for (std::size_t run = 0; run < kill_after.size(); ++run) {
    relay_process p(dir, boot, config, "run" + std::to_string(run), rate, commit_interval, env);
    INFO("run " << run << " stderr:\n" << p.process().err());
    REQUIRE(test::eventually([&] { return p.relayed() >= kill_after[run]; }, 90s));
    p.process().signal(SIGKILL);
    REQUIRE(p.process().wait(10s) == 128 + SIGKILL);
    if (elsewhere)
      std::filesystem::remove_all(dir.file("state"));
  }
  relay_process last(dir, boot, config, "last", rate, commit_interval, env);
  {
    INFO("last run stderr:\n" << last.process().err());
    CHECK(wait_committed_to_end(boot, "e2e-in", group, 120s) == end_offsets(boot, "e2e-in"));
    last.process().signal(SIGTERM);
    CHECK(last.process().wait(30s) == 0);
  }
  REQUIRE(last.relayed() > 0); // the kills came mid-stream

  check_exact_window_counts(read_topic(boot, "e2e-out"), total, keys, window);
}

/// The input on the embedded broker, and the config of two processes of consumer group
/// `group`, each with a state directory of its own (two machines) and the changelog between
/// them.
struct two_machines {
  explicit two_machines(const std::string& group) {
    kafka::test::produce_with_python(boot, "e2e-in", total, "m", keys);
    write_count_config(config, group, 2, true);
  }
  kafka::embedded_broker broker{1, {{"e2e-in", 4}, {"e2e-out", 4}, {"e2e-state", 1}}};
  std::string boot = broker.bootstrap_servers();
  test::temp_directory dir_a, dir_b;
  std::string config = dir_a.file("counts.yaml");
};

/// One of two processes is killed mid-stream, and the other, running on, is given its
/// partitions and must count on from the state the killed one wrote.
void one_killed_other_takes_over() {
  two_machines m("counts-takeover");
  auto& [broker, boot, dir_a, dir_b, config] = m;
  std::map<std::string, std::string> env{{"E2E_COUNT_WINDOW", std::to_string(window)}};
  // Started together, they split the partitions before either has counted anything (the
  // mock broker gives the first member 3 s for others to join).
  relay_process a(dir_a, boot, config, "a", rate, commit_interval, env);
  relay_process b(dir_b, boot, config, "b", rate, commit_interval, env);
  offsets before; // committed when a was killed
  {
    INFO("a stderr:\n" << a.process().err() << "\nb stderr:\n" << b.process().err());
    // Killed once both have committed on every partition (so that the survivor starts from
    // the killed one's commits and must skip what its state holds), mid-stream.
    REQUIRE(test::eventually(
        [&] {
          for (auto [partition, offset] : committed_offsets(boot, "e2e-in", "counts-takeover"))
            if (offset == no_offset)
              return false;
          return a.relayed() >= 2000 && b.relayed() > 0;
        },
        90s));
    before = committed_offsets(boot, "e2e-in", "counts-takeover");
    a.process().signal(SIGKILL);
    REQUIRE(a.process().wait(10s) == 128 + SIGKILL);
    CHECK(wait_committed_to_end(boot, "e2e-in", "counts-takeover", 120s)
          == end_offsets(boot, "e2e-in"));
    b.process().signal(SIGTERM);
    CHECK(b.process().wait(30s) == 0);
  }
  INFO("b stderr:\n" << b.process().err());
  REQUIRE(before != end_offsets(boot, "e2e-in")); // killed mid-stream
  for (auto [partition, offset] : before)
    MESSAGE("partition " << partition << " committed at " << offset << " when a was killed");
  CHECK(b.process().err().find("change(s) of other writers applied") != std::string::npos);
  check_exact_window_counts(read_topic(boot, "e2e-out"), total, keys, window);
}

/// Two processes of one consumer group counting in time windows, the second started once the
/// first has counted part of the input: the partitions it is given leave the first only once
/// what the first folded of them is in the changelog and committed, and the first forgets
/// their keys, so that every message is counted in one window, once, whoever emitted it.
void other_joins() {
  two_machines m("counts-join");
  auto& [broker, boot, dir_a, dir_b, config] = m;
  std::map<std::string, std::string> env{{"E2E_TIME_WINDOW", "10000"}};
  relay_process a(dir_a, boot, config, "a", rate, commit_interval, env);
  std::optional<relay_process> b;
  auto counted = [&] {
    std::uint64_t n = 0;
    for (auto& r : read_topic(boot, "e2e-out"))
      n += parse_window_count(r.value);
    return n;
  };
  {
    INFO("a stderr:\n" << a.process().err());
    REQUIRE(test::eventually([&] { return a.relayed() >= 3000; }, 90s));
    b.emplace(dir_b, boot, config, "b", rate, commit_interval, env);
    INFO("b stderr:\n" << b->process().err());
    CHECK(wait_committed_to_end(boot, "e2e-in", "counts-join", 120s)
          == end_offsets(boot, "e2e-in"));
    // The last windows close on the wall clock.
    CHECK(test::eventually([&] { return counted() >= total; }, 30s));
    std::this_thread::sleep_for(1s); // a window emitted twice would come out by now
    for (auto* p : {&a, &*b})
      p->process().signal(SIGTERM);
    CHECK(a.process().wait(30s) == 0);
    CHECK(b->process().wait(30s) == 0);
    CHECK(a.process().err().find("before revocation") != std::string::npos);
    CHECK(b->relayed() > 0);
  }
  check_exact_window_counts(read_topic(boot, "e2e-out"), total, keys, 0);
}

} // namespace

TEST_SUITE("e2e.state_crash_safety") {
  TEST_CASE("keyed counts killed with SIGKILL three times: exactly the counts of the input") {
    killed_and_restarted(1);
  }
  TEST_CASE("the same with the counting step at parallelism 2") { killed_and_restarted(2); }
  TEST_CASE("the same with every run on another machine, restoring from the changelog") {
    killed_and_restarted(2, true);
  }
  TEST_CASE("two processes of one group: one killed, the running other counts on from its state") {
    one_killed_other_takes_over();
  }
  TEST_CASE("a process joins one counting in time windows: each message counted once") {
    other_joins();
  }
}
