// Crash safety of state: a `streams` process counting messages per key in windows, killed
// with SIGKILL at several points mid-stream and restarted each time, ends with exactly the
// counts its input implies, read back by an independent client: nothing lost, nothing
// counted twice. A window emitted again after a crash is the same window with the same count.

#include "e2e_support.hpp"

#include "kafka/kafka_test_support.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <map>
#include <sstream>
#include <utility>

using namespace streams;
using namespace streams::e2e;

namespace {

/// "KEY COUNT FIRST LAST": a window of the relay app's counting mode.
struct window_count {
  std::string key;
  std::uint64_t count = 0;
  long long first = 0; ///< the least message number in the window
  long long last = 0;  ///< the greatest
};

window_count parse(const std::string& value) {
  window_count w;
  std::istringstream in(value);
  in >> w.key >> w.count >> w.first >> w.last;
  return w;
}

void killed_and_restarted(std::size_t parallelism) {
  kafka::embedded_broker broker(1, {{"e2e-in", 4}, {"e2e-out", 4}});
  auto boot = broker.bootstrap_servers();
  const int total = 16000;
  const int keys = 16; // 1000 messages a key: 100 full windows of 10 each
  const std::size_t window = 10;
  kafka::test::produce_with_python(boot, "e2e-in", total, "m", keys);

  test::temp_directory dir;
  auto config = dir.file("counts.yaml");
  auto group = "counts-" + std::to_string(parallelism);
  write_relay_config(config, group,
                     "        counts:\n          parallelism: " + std::to_string(parallelism)
                         + "\n");
  const double rate = 2500;
  const auto commit_interval = 200ms;
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
  }
  relay_process last(dir, boot, config, "last", rate, commit_interval, env);
  {
    INFO("last run stderr:\n" << last.process().err());
    CHECK(wait_committed_to_end(boot, "e2e-in", group, 120s) == end_offsets(boot, "e2e-in"));
    last.process().signal(SIGTERM);
    CHECK(last.process().wait(30s) == 0);
  }
  REQUIRE(last.relayed() > 0); // the kills came mid-stream

  // Message i has key "k<i mod 16>", and a key's messages share a partition, so the j-th window
  // of key k holds exactly the numbers k + 16 (10 j) ... k + 16 (10 j + 9). A window may come out
  // twice (emitted, then killed before its delivery was recorded), but then the same.
  std::map<std::pair<std::string, long long>, window_count> windows;
  std::size_t repeats = 0;
  for (auto& r : read_topic(boot, "e2e-out")) {
    auto w = parse(r.value);
    auto [it, fresh] = windows.try_emplace({w.key, w.first}, w);
    if (!fresh) {
      ++repeats;
      CHECK_MESSAGE((it->second.count == w.count && it->second.last == w.last),
                    "window " << r.value << " came out differently before");
    }
  }
  std::map<std::string, std::uint64_t> per_key;
  auto span = static_cast<long long>(keys) * static_cast<long long>(window);
  for (auto& [id, w] : windows) {
    auto k = std::stoll(w.key.substr(1));
    CHECK_MESSAGE((w.count == window && w.first % keys == k && (w.first - k) % span == 0
                   && w.last == w.first + span - keys),
                  "window " << w.key << " " << w.count << " " << w.first << " " << w.last);
    per_key[w.key] += w.count;
  }
  MESSAGE(windows.size() << " windows, " << repeats << " emitted again after a kill");
  CHECK(windows.size() == static_cast<std::size_t>(total) / window);
  REQUIRE(per_key.size() == static_cast<std::size_t>(keys));
  for (auto& [key, n] : per_key)
    CHECK_MESSAGE(n == static_cast<std::uint64_t>(total / keys), "key " << key);
}

} // namespace

TEST_SUITE("e2e.state_crash_safety") {
  TEST_CASE("keyed counts killed with SIGKILL three times: exactly the counts of the input") {
    killed_and_restarted(1);
  }
  TEST_CASE("the same with the counting step at parallelism 2") { killed_and_restarted(2); }
}
