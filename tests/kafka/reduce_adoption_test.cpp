// Two reduce steps standing for two processes that share a state changelog on the embedded
// broker: one takes over a partition the other folded (a rebalance), and every window of the
// keys it adopts comes out once, whichever of the two was ahead in event time.

#include "streams/kafka/embedded_broker.hpp"
#include "streams/kafka/state_changelog.hpp"
#include "streams/state/state_store.hpp"
#include "streams/steps/reduce_step.hpp"

#include "libstreams/support/collecting_emitter.hpp"
#include "libstreams/support/messages.hpp"

#include <doctest/doctest.h>

#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <utility>

using namespace streams;
using namespace std::chrono_literals;

namespace {

using counts = windowed<std::uint64_t>;

/// A process running one instance of a reduce step counting messages by key (the payload),
/// over its own store replicated to the broker's changelog topic.
struct process {
  process(const kafka::embedded_broker& broker, window_spec w)
      : step(w,
             reduce_functions_for<accumulators::count<std::string>, std::string>(
                 [](const message& m) { return m.payload<std::string>(); }),
             [] { return std::int64_t{1'700'000'000'000}; }) {
    kafka::changelog_config c;
    c.bootstrap_servers = broker.bootstrap_servers();
    c.topic = "state";
    c.timeout = 20s;
    store = kafka::replicate_to_changelog(make_memory_store(), c);
    step.open({"counts", 0, 1, store.get()});
  }

  void send(const std::string& key, std::int64_t timestamp, std::int32_t partition,
            std::int64_t offset) {
    auto m = test::sourced(key, offset, partition);
    m.set_timestamp(timestamp);
    step.process(m, out);
  }

  /// Every output reaches its sinks, then the state is written.
  void deliver_and_checkpoint() {
    for (auto id : out.tracked)
      step.delivered(id);
    step.checkpoint(out);
  }

  std::unique_ptr<state_store> store;
  reduce_step step;
  test::collecting_emitter out;
};

/// Every window the processes emitted, as "key@end=count" by key and end, a repeat twice.
std::string windows_of(std::initializer_list<process*> processes) {
  std::multimap<std::pair<std::string, std::int64_t>, std::uint64_t> all;
  for (auto* p : processes)
    for (auto& e : p->out.out) {
      auto& w = e.msg.payload<counts>();
      all.emplace(std::make_pair(w.key, w.end_ms), w.value);
    }
  std::string r;
  for (auto& [w, n] : all)
    r += (r.empty() ? "" : " ") + w.first + "@" + std::to_string(w.second / 1000)
         + "s=" + std::to_string(n);
  return r;
}

/// `p` folds key k0 from partition 0 and k1 from partition 1, at 1 s and 2 s, and checkpoints.
void fold_k0_and_k1(process& p) {
  p.send("k0", 1'000, 0, 0);
  p.send("k1", 2'000, 1, 0);
  p.deliver_and_checkpoint();
}

} // namespace

TEST_SUITE("kafka.reduce_adoption") {
  TEST_CASE("an adopted key's windows its writer had not emitted, and the adopter has passed, "
            "come out once") {
    kafka::embedded_broker broker(1, {{"state", 1}});
    SUBCASE("tumbling") {
      process a(broker, windows::tumbling(10s).event_time());
      process b(broker, windows::tumbling(10s).event_time());
      b.send("b", 1'000, 1, 0);
      b.send("b", 25'000, 1, 1);           // b's next window ends at 20 s
      for (std::int64_t i = 0; i < 3; ++i) // a lags: [0, 10 s) is open there
        a.send("k", 1'000 * (i + 1), 0, i);
      a.deliver_and_checkpoint();
      b.send("k", 26'000, 0, 3); // a is gone, partition 0 went to b
      test::close_input(b.step, b.out);
      CHECK(windows_of({&a, &b}) == "b@10s=1 b@30s=1 k@10s=3 k@30s=1");
    }
    SUBCASE("sliding, with a running count") {
      process a(broker, windows::sliding(30s, 10s).event_time());
      process b(broker, windows::sliding(30s, 10s).event_time());
      b.send("b", 1'000, 1, 0);
      b.send("b", 25'000, 1, 1); // b's next window ends at 30 s
      for (std::int64_t i = 0; i < 3; ++i)
        a.send("k", 1'000 * (i + 1), 0, i);
      a.deliver_and_checkpoint();
      b.send("k", 26'000, 0, 3);
      test::close_input(b.step, b.out);
      CHECK(windows_of({&a, &b})
            == "b@10s=1 b@20s=1 b@30s=2 b@40s=1 b@50s=1 k@10s=3 k@20s=3 k@30s=4 k@40s=1 k@50s=1");
    }
  }

  TEST_CASE("an adopted key's windows its writer had emitted, and the adopter has not passed, "
            "do not come out again") {
    kafka::embedded_broker broker(1, {{"state", 1}});
    process a(broker, windows::sliding(30s, 10s).event_time());
    process b(broker, windows::sliding(30s, 10s).event_time());
    b.send("b", 1'000, 1, 0);
    b.send("b", 12'000, 1, 1); // b's next window ends at 20 s
    a.send("k", 1'000, 0, 0);
    a.send("a", 25'000, 0, 1); // a emits k's windows ending at 10 s and 20 s
    a.deliver_and_checkpoint();
    b.send("k", 21'000, 0, 2);
    test::close_input(b.step, b.out);
    CHECK(windows_of({&a, &b})
          == "a@30s=1 a@40s=1 a@50s=1 b@10s=1 b@20s=2 b@30s=2 b@40s=1 k@10s=1 k@20s=1 k@30s=2 "
             "k@40s=1 k@50s=1");
  }
}

TEST_SUITE("kafka.reduce_adoption") {
  TEST_CASE("a process holds the keys of the partitions it consumes, not those of the others") {
    kafka::embedded_broker broker(1, {{"state", 1}});
    auto w = windows::tumbling(10s).event_time();
    process a(broker, w);
    fold_k0_and_k1(a);
    // b consumes partition 0 only: of a's keys it takes k0, and k1 stays parked, its windows
    // a's to emit.
    process b(broker, w);
    b.send("k0", 3'000, 0, 1);
    CHECK(b.step.parked() == 1);
    b.send("k0", 25'000, 0, 2);
    CHECK(windows_of({&a, &b}) == "k0@10s=2");
    // A new process's restore parks every key until its partition comes.
    process c(broker, w);
    CHECK(c.step.parked() == 2);
    CHECK(c.step.keys() == 0);
    c.step.assigned(0, {1});
    CHECK(c.step.parked() == 1);
    CHECK(c.step.keys() == 1);
  }

  TEST_CASE("a revoked partition's keys are parked: their windows fire nowhere until it comes "
            "back, from the newest state") {
    kafka::embedded_broker broker(1, {{"state", 1}});
    auto w = windows::tumbling(10s).event_time();
    process a(broker, w);
    fold_k0_and_k1(a);
    a.step.revoked(0, {1}, true);
    CHECK(a.step.parked() == 1);
    a.send("k0", 25'000, 0, 1); // the watermark passes k1's window, which is not a's now
    CHECK(windows_of({&a}) == "k0@10s=1");
    SUBCASE("back unchanged: the windows that passed meanwhile come out") {
      a.step.assigned(0, {1});
      CHECK(a.step.parked() == 0);
      a.send("k1", 26'000, 1, 1);
      test::close_input(a.step, a.out);
      CHECK(windows_of({&a}) == "k0@10s=1 k0@30s=1 k1@10s=1 k1@30s=1");
    }
    SUBCASE("back after another process counted on") {
      process b(broker, w);
      b.send("k1", 3'000, 1, 1);
      b.deliver_and_checkpoint();
      a.out.out.clear();
      a.step.assigned(0, {1}); // reads b's state of k1, which replaces what was parked
      a.send("k1", 26'000, 1, 2);
      test::close_input(a.step, a.out);
      CHECK(windows_of({&a, &b}) == "k0@30s=1 k1@10s=2 k1@30s=1");
    }
  }
}
