#include "streams/steps/reduce_step.hpp"

#include "streams/key_hash.hpp"
#include "streams/state/state_store.hpp"

#include "libstreams/support/collecting_emitter.hpp"
#include "libstreams/support/messages.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

using namespace streams;
using namespace std::chrono_literals;
using streams::test::collecting_emitter;

namespace {

using ints = accumulators::collect<std::int64_t>;
using int_windows = windowed<std::vector<std::int64_t>>;

/// A reduce step over integer payloads, collecting them, on a clock the test moves.
struct fixture {
  std::int64_t now = 1'700'000'000'000; // a multiple of 2 s: Sentry's test's T
  std::int64_t t0 = now;
  collecting_emitter out;
  std::int64_t next_offset = 0;

  reduce_step make(window_spec w, bool keyed = false) {
    std::function<std::string(const message&)> key;
    if (keyed)
      key = [](const message& m) { return std::to_string(m.payload<std::int64_t>() % 2); };
    return reduce_step(w, reduce_functions_for<ints, std::int64_t>(key), [this] { return now; });
  }

  /// A step over `store` as a (re)started pipeline runs it: opened, its partition assigned.
  reduce_step reopen(window_spec w, state_store& store) {
    auto step = make(w);
    step.open({"counts", 0, 1, &store});
    step.assigned(0, {0});
    return step;
  }

  void send(reduce_step& step, std::int64_t v, std::int64_t timestamp = 0,
            std::int32_t partition = 0) {
    auto m = test::sourced(v, next_offset++, partition);
    m.set_timestamp(timestamp ? timestamp : now);
    step.process(m, out);
  }

  void tick(reduce_step& step) { step.on_tick(clock::now(), out); }

  /// Every window emitted so far, as its values, then forgets them.
  std::vector<std::vector<std::int64_t>> take() {
    std::vector<std::vector<std::int64_t>> r;
    for (auto& e : out.out)
      r.push_back(e.msg.payload<int_windows>().value);
    out.out.clear();
    return r;
  }
};

using V = std::vector<std::vector<std::int64_t>>;

/// A count that tallies its merges; with subtract when `Invertible`.
template <bool Invertible>
struct tallied_count {
  static inline std::uint64_t merges = 0;
  std::uint64_t n = 0;
  void add(const std::int64_t&) { ++n; }
  void merge(const tallied_count& other) {
    n += other.n;
    ++merges;
  }
  template <bool I = Invertible, std::enable_if_t<I, int> = 0>
  void subtract(const tallied_count& other) {
    n -= other.n;
  }
  std::uint64_t result() const { return n; }
  void save(std::string& out) const { codec::encode(out, n); }
  static tallied_count load(std::string_view in) {
    tallied_count c;
    codec::decode(in, c.n);
    return c;
  }
};

} // namespace

TEST_SUITE("steps.reduce_step") {

  TEST_CASE("Sentry Streams' sliding window test: 6 s sliding by 2 s, processing time") {
    fixture f;
    auto step = f.make(windows::sliding(6s, 2s));
    V arrived;
    for (std::int64_t i = 0; i <= 5; ++i) {
      f.now = f.t0 + 2000 * i;
      f.send(step, i);
      for (auto& w : f.take())
        arrived.push_back(w);
    }
    CHECK(arrived == V{{0, 1, 2}, {1, 2, 3}, {2, 3, 4}});
    V passing;
    for (std::int64_t t = 12; t <= 22; t += 2) {
      f.now = f.t0 + 1000 * t;
      f.tick(step);
      for (auto& w : f.take())
        passing.push_back(w);
    }
    CHECK(passing == V{{3, 4, 5}, {4, 5}, {5}});
    V after_gap;
    for (std::int64_t t : {24, 26}) {
      f.now = f.t0 + 1000 * t;
      f.send(step, t / 2);
      for (auto& w : f.take())
        after_gap.push_back(w);
    }
    for (std::int64_t t = 28; t <= 60; t += 2) {
      f.now = f.t0 + 1000 * t;
      f.tick(step);
      for (auto& w : f.take())
        after_gap.push_back(w);
    }
    CHECK(after_gap == V{{12}, {12, 13}, {12, 13}, {13}});
    CHECK(step.keys() == 0);
  }
}

namespace {

/// What a test reads of one emitted window.
struct result {
  std::string key;
  std::int64_t start;
  std::int64_t end;
  std::vector<std::int64_t> values;
  friend bool operator==(const result& a, const result& b) {
    return a.key == b.key && a.start == b.start && a.end == b.end && a.values == b.values;
  }
};

std::vector<result> results(collecting_emitter& out) {
  std::vector<result> r;
  for (auto& e : out.out) {
    auto& w = e.msg.payload<int_windows>();
    r.push_back({w.key, w.start_ms, w.end_ms, w.value});
  }
  out.out.clear();
  return r;
}

std::size_t released_offsets(const collecting_emitter& out) {
  std::size_t n = 0;
  for (auto& r : out.released)
    n += r.origins();
  return n;
}

} // namespace

TEST_SUITE("steps.reduce_step") {

  TEST_CASE("tumbling windows by processing time: one result per window and key, never empty") {
    fixture f;
    auto step = f.make(windows::tumbling(1s), true);
    f.send(step, 1);
    f.send(step, 2);
    f.now += 500;
    f.send(step, 3);
    CHECK(results(f.out).empty());
    f.now = f.t0 + 1000;
    f.tick(step);
    auto r = results(f.out);
    std::sort(r.begin(), r.end(), [](auto& a, auto& b) { return a.key < b.key; });
    CHECK(r
          == std::vector<result>{{"0", f.t0, f.t0 + 1000, {2}}, {"1", f.t0, f.t0 + 1000, {1, 3}}});
    f.now = f.t0 + 5000; // four empty windows pass
    f.tick(step);
    CHECK(results(f.out).empty());
    f.send(step, 4);
    f.now = f.t0 + 6000;
    f.tick(step);
    CHECK(results(f.out) == std::vector<result>{{"0", f.t0 + 5000, f.t0 + 6000, {4}}});
  }

  TEST_CASE("count windows per key, a finite input's end emits the rest, a stop keeps it") {
    for (auto why : {close_reason::exhausted, close_reason::stopped}) {
      fixture f;
      auto step = f.make(windows::count(3), true);
      for (std::int64_t v = 0; v < 8; ++v)
        f.send(step, v, 1000 + v);
      // Key "0" holds 0 2 4 6, key "1" holds 1 3 5 7: each fills one window of three.
      CHECK(results(f.out)
            == std::vector<result>{{"0", 1000, 1005, {0, 2, 4}}, {"1", 1001, 1006, {1, 3, 5}}});
      test::close_input(step, f.out, why);
      auto rest = results(f.out);
      if (why == close_reason::exhausted)
        CHECK(rest.size() == 2);
      else
        CHECK(rest.empty());
    }
  }

  TEST_CASE("session windows close after the gap and merge when a message bridges two") {
    fixture f;
    auto step = f.make(windows::session(2s).event_time(3s));
    f.send(step, 1, 10'000);
    f.send(step, 2, 11'000);
    f.send(step, 3, 14'000); // a new session: 3 s after the last
    f.send(step, 4, 12'400); // bridges both (out of order; the watermark is at 11 s)
    CHECK(results(f.out).empty());
    f.send(step, 5, 30'000); // the watermark passes 16 s: the session is complete
    CHECK(results(f.out) == std::vector<result>{{"", 10'000, 16'000, {1, 2, 4, 3}}});
    test::close_input(step, f.out);
    CHECK(results(f.out) == std::vector<result>{{"", 30'000, 32'000, {5}}});
  }

  TEST_CASE("event time: out-of-order messages within the bound land in their windows") {
    fixture f;
    auto step = f.make(windows::tumbling(10s).event_time(3s));
    f.send(step, 1, 1'000);
    f.send(step, 2, 11'000);
    f.send(step, 3, 9'000);  // 2 s behind the largest: in time, in window [0, 10 s)
    f.send(step, 4, 12'500); // watermark 9.5 s: [0, 10 s) still open
    CHECK(results(f.out).empty());
    f.send(step, 5, 13'000); // watermark 10 s
    CHECK(results(f.out) == std::vector<result>{{"", 0, 10'000, {1, 3}}});
  }

  TEST_CASE("the watermark is the least over partitions, an idle partition stops holding it") {
    fixture f;
    auto step = f.make(windows::tumbling(10s).event_time().idle_timeout(5s));
    f.send(step, 1, 1'000, 0);
    f.send(step, 2, 2'000, 1);
    f.send(step, 3, 25'000, 0); // partition 1 is still at 2 s
    CHECK(results(f.out).empty());
    f.now += 4'000;
    f.send(step, 4, 26'000, 0);
    CHECK(results(f.out).empty());
    f.now += 2'000; // partition 1 silent for 6 s: idle
    f.tick(step);
    CHECK(results(f.out) == std::vector<result>{{"", 0, 10'000, {1, 2}}});
    auto deadline = step.next_deadline();
    CHECK(deadline.has_value()); // partition 0 turning idle later may close [20 s, 30 s)
  }

  TEST_CASE("allowed lateness updates a fired window, later data is rejected and counted") {
    fixture f;
    auto step = f.make(windows::tumbling(10s).event_time().allowed_lateness(5s));
    f.send(step, 1, 1'000);
    f.send(step, 2, 10'000); // watermark 10 s: [0, 10 s) fires
    CHECK(results(f.out) == std::vector<result>{{"", 0, 10'000, {1}}});
    f.send(step, 3, 9'000); // late by 1 s, within 5 s: the window is emitted again, updated
    CHECK(results(f.out) == std::vector<result>{{"", 0, 10'000, {1, 3}}});
    f.send(step, 4, 15'000); // watermark 15 s: [0, 10 s) is past its lateness
    f.send(step, 5, 8'000);
    results(f.out);
    CHECK(step.late() == 1);
    REQUIRE(f.out.rejected.size() == 1);
    CHECK(f.out.rejected[0].first.payload<std::int64_t>() == 5);
    CHECK(f.out.rejected[0].second.find("late") != std::string::npos);
  }

  TEST_CASE("sliding windows keep one pane per slide, whatever size/slide is") {
    fixture f;
    auto step = f.make(windows::sliding(60s, 1s).event_time(), true);
    for (std::int64_t i = 0; i < 6000; ++i)
      f.send(step, i, 1'000'000 + i * 10); // 60 s of event time, 2 keys
    CHECK(step.keys() == 2);
    CHECK(step.panes() <= 2 * 61);
    test::close_input(step, f.out);
    std::int64_t total = 0;
    for (auto& r : results(f.out))
      total += static_cast<std::int64_t>(r.values.size());
    CHECK(total == 6000 * 60); // every message is in size/slide windows
  }

  TEST_CASE("a finite input's end completes its windows one window end at a time") {
    // 6 s windows sliding by 2 s, 2 keys, messages over [0 s, 4 s) that the watermark (10 s
    // behind) completes no window of: the end of the input completes those ending at 2, 4, 6
    // and 8 s of both keys. Each round emits those of one end, so that what waits to be sent
    // stays within a window per key.
    fixture f;
    auto step = f.make(windows::sliding(6s, 2s).event_time(10s), true);
    for (std::int64_t i = 0; i < 4; ++i)
      f.send(step, i, 1'000'000 + i * 1000);
    CHECK(results(f.out).empty()); // the watermark has completed none
    step.on_close(f.out, close_reason::exhausted);
    std::vector<std::vector<std::int64_t>> ends;
    for (;;) {
      std::vector<std::int64_t> round;
      for (auto& r : results(f.out))
        round.push_back(r.end - 1'000'000);
      ends.push_back(round);
      if (!step.close_pending())
        break;
      step.close_more(f.out);
    }
    CHECK(ends
          == std::vector<std::vector<std::int64_t>>{
              {2000, 2000}, {4000, 4000}, {6000, 6000}, {8000, 8000}});
  }

  TEST_CASE("with subtract, sliding windows emit the same, merging a pane or two per window") {
    // 20 s windows sliding by 1 s over 3 keys, some messages late (within the lateness), so
    // that fired windows are emitted again and running counts must start afresh.
    auto windows_of = [](auto count) {
      using A = decltype(count);
      A::merges = 0;
      std::int64_t now = 0;
      reduce_step step(windows::sliding(20s, 1s).event_time().allowed_lateness(3s),
                       reduce_functions_for<A, std::int64_t>([](const message& m) {
                         return std::to_string(m.payload<std::int64_t>() % 3);
                       }),
                       [&] { return now; });
      collecting_emitter out;
      for (std::int64_t i = 0; i < 3000; ++i) {
        auto m = test::sourced(i, i);
        m.set_timestamp(1'000'000 + i * 40 - (i % 250 == 249 ? 2500 : 0));
        step.process(m, out);
      }
      test::close_input(step, out);
      std::vector<std::tuple<std::string, std::int64_t, std::int64_t, std::uint64_t>> r;
      for (auto& e : out.out) {
        auto& w = e.msg.payload<windowed<std::uint64_t>>();
        r.emplace_back(w.key, w.start_ms, w.end_ms, w.value);
      }
      return std::make_pair(r, A::merges);
    };
    auto [merged, merges] = windows_of(tallied_count<false>());
    auto [running, running_merges] = windows_of(tallied_count<true>());
    REQUIRE(merged.size() > 3 * 120); // 120 s of event time: every key has a window each second
    CHECK(running == merged);
    CHECK(merges > 10 * merged.size()); // ~20 panes merged per window
    // One pane per window, and afresh only after late data and for windows emitted again.
    CHECK(running_merges * 4 < merges);
  }

  TEST_CASE("inputs are released only by a checkpoint, and then all of them") {
    fixture f;
    auto store = make_memory_store();
    auto step = f.make(windows::count(100), true);
    step.open({"counts", 0, 1, store.get()});
    for (std::int64_t v = 0; v < 10; ++v)
      f.send(step, v);
    CHECK(f.out.released.empty());
    step.checkpoint(f.out);
    CHECK(released_offsets(f.out) == 10);
  }

  TEST_CASE("state survives a restart: counts go on, replayed inputs are not counted twice") {
    fixture f;
    auto store = make_memory_store();
    {
      auto step = f.make(windows::count(4), true);
      step.open({"counts", 0, 1, store.get()});
      for (std::int64_t v = 0; v < 6; ++v) // key "0": 0 2 4, key "1": 1 3 5
        f.send(step, v);
      step.checkpoint(f.out);
      f.send(step, 6); // after the checkpoint: lost with the crash, its window too
    }
    CHECK(results(f.out).size() == 1);
    auto step = f.make(windows::count(4), true);
    step.open({"counts", 0, 1, store.get()});
    f.next_offset = 0; // the source replays from its last commit: offset 0
    for (std::int64_t v = 0; v < 8; ++v)
      f.send(step, v);
    // 0..5 were in the state: skipped (and released at once); 6 and 7 complete both windows.
    CHECK(results(f.out)
          == std::vector<result>{{"0", f.now, f.now + 1, {0, 2, 4, 6}},
                                 {"1", f.now, f.now + 1, {1, 3, 5, 7}}});
  }

  TEST_CASE("an emitted window stays stored until delivered, and is emitted again after a crash") {
    fixture f;
    auto store = make_memory_store();
    {
      auto step = f.make(windows::count(2), true);
      step.open({"counts", 0, 1, store.get()});
      for (std::int64_t v = 0; v < 4; ++v)
        f.send(step, v);
      REQUIRE(f.out.tracked.size() == 2);
      step.delivered(f.out.tracked[0]); // key "0"'s window reached its sinks
      step.checkpoint(f.out);
    }
    results(f.out);
    auto step = f.make(windows::count(2), true);
    step.open({"counts", 0, 1, store.get()});
    REQUIRE(step.next_deadline().has_value());
    f.tick(step);
    CHECK(results(f.out) == std::vector<result>{{"1", f.now, f.now + 1, {1, 3}}});
    step.delivered(f.out.tracked.back());
    step.checkpoint(f.out);
    auto again = f.make(windows::count(2), true);
    again.open({"counts", 0, 1, store.get()});
    CHECK_FALSE(again.next_deadline().has_value());
  }

  TEST_CASE("count windows of a key with the same bounds are stored and emitted again each") {
    // Inputs of one millisecond: every window of key "0" spans [now, now + 1).
    fixture f;
    auto store = make_memory_store();
    auto restored = [&] {
      auto step = f.make(windows::count(2), true);
      step.open({"counts", 0, 1, store.get()});
      f.tick(step);
      auto r = results(f.out);
      std::sort(r.begin(), r.end(), [](auto& a, auto& b) { return a.values < b.values; });
      return std::make_pair(std::move(step), r);
    };
    {
      auto step = f.make(windows::count(2), true);
      step.open({"counts", 0, 1, store.get()});
      for (std::int64_t v : {0, 2, 4, 6})
        f.send(step, v);
      REQUIRE(results(f.out).size() == 2);
      step.checkpoint(f.out); // neither delivered: both must be stored
    }
    auto [step, again] = restored();
    CHECK(again
          == std::vector<result>{{"0", f.now, f.now + 1, {0, 2}}, {"0", f.now, f.now + 1, {4, 6}}});
    // A window after the restart is numbered on, not over a restored one.
    f.send(step, 8);
    f.send(step, 10);
    REQUIRE(results(f.out).size() == 1);
    step.checkpoint(f.out);
    auto [third, all] = restored();
    CHECK(all.size() == 3);
    CHECK(all.back().values == std::vector<std::int64_t>{8, 10});
    // Delivered, they leave the store.
    for (auto id : std::vector<std::uint64_t>(f.out.tracked.end() - 3, f.out.tracked.end()))
      third.delivered(id);
    third.checkpoint(f.out);
    auto last = f.make(windows::count(2), true);
    last.open({"counts", 0, 1, store.get()});
    CHECK_FALSE(last.next_deadline().has_value());
  }

  TEST_CASE("a checkpoint writes a key's changed panes, a record goes with its last pane") {
    fixture f;
    auto store = make_memory_store();
    auto records = [&] {
      std::size_t n = 0;
      store->scan(std::string("counts\0p", 8), [&](std::string_view, std::string_view) { ++n; });
      return n;
    };
    // The same input, through a step that crashes after each checkpoint and is restored, and
    // through one that runs on: every window must come out the same.
    auto feed = [&](reduce_step& step, int phase) {
      if (phase == 0) // three panes of key "": [0, 2 s), [2 s, 4 s), [4 s, 6 s)
        for (std::int64_t t : {0, 2'000, 4'000})
          f.send(step, t, 100'000 + t);
      if (phase == 1) // late into the first pane: its record is replaced, the others rewritten
        f.send(step, 1, 100'500);
      if (phase == 2) // the watermark reaches 8 s: the first two panes go, [4 s, 6 s) stays
        f.send(step, 8'000, 108'000);
      if (phase == 3) // and 12 s: [4 s, 6 s) goes, the last of its record
        f.send(step, 12'000, 112'000);
    };
    auto kept = f.make(windows::sliding(6s, 2s).event_time());
    for (int phase = 0; phase < 4; ++phase)
      feed(kept, phase);
    test::close_input(kept, f.out);
    auto expected = results(f.out);

    std::vector<result> got;
    std::vector<std::size_t> restored, panes, stored;
    for (int phase = 0; phase < 4; ++phase) {
      auto step = f.make(windows::sliding(6s, 2s).event_time());
      step.open({"counts", 0, 1, store.get()});
      CHECK(step.panes() == 0); // parked until its partition comes
      step.assigned(0, {0});
      restored.push_back(step.panes());
      feed(step, phase);
      step.checkpoint(f.out);
      stored.push_back(records());
      panes.push_back(step.panes());
      for (auto& r : results(f.out))
        got.push_back(r);
      for (auto id : f.out.tracked)
        step.delivered(id);
      f.out.tracked.clear();
      step.checkpoint(f.out);
    }
    // The panes that went in phase 2 stay in their record, which the new pane does not
    // rewrite: the restore of phase 3 reads them again, and drops them again.
    CHECK(stored == std::vector<std::size_t>{1, 1, 2, 2});
    CHECK(panes == std::vector<std::size_t>{3, 3, 2, 2});
    CHECK(restored == std::vector<std::size_t>{0, 3, 3, 4});
    auto last = f.reopen(windows::sliding(6s, 2s).event_time(), *store);
    CHECK(last.panes() == 2); // [8 s, 10 s) and [12 s, 14 s): nothing that went is left
    test::close_input(last, f.out);
    for (auto& r : results(f.out))
      got.push_back(r);
    CHECK(got == expected);
  }

  TEST_CASE("a pane that changes has its record's older panes written again with it") {
    fixture f;
    auto store = make_memory_store();
    auto w = windows::sliding(6s, 2s).event_time();
    auto panes_then_newest = [&](reduce_step& step, bool checkpoint) {
      for (std::int64_t t : {0, 2'000, 4'000}) // three panes, checkpointed in one record
        f.send(step, t, 100'000 + t);
      if (checkpoint)
        step.checkpoint(f.out);
      f.send(step, 1, 104'001); // the newest changes: the record goes, all three written again
    };
    auto kept = f.make(w);
    panes_then_newest(kept, false);
    test::close_input(kept, f.out);
    auto expected = results(f.out);
    std::vector<result> got;
    {
      auto step = f.reopen(w, *store);
      panes_then_newest(step, true);
      for (auto id : f.out.tracked) // the windows the watermark completed reached their sinks
        step.delivered(id);
      f.out.tracked.clear();
      step.checkpoint(f.out);
      got = results(f.out);
    } // a crash
    auto restored = f.reopen(w, *store);
    CHECK(restored.panes() == 3);
    test::close_input(restored, f.out);
    for (auto& r : results(f.out))
      got.push_back(r);
    CHECK(got == expected);
  }

  TEST_CASE("sessions a message bridges before any checkpoint are stored merged") {
    fixture f;
    auto store = make_memory_store();
    auto w = windows::session(1s).event_time(3s); // the watermark 3 s behind
    auto bridge = [&](reduce_step& step) {
      f.send(step, 0, 100'000);     // [100 s, 101 s)
      f.send(step, 1'800, 101'800); // [101.8 s, 102.8 s)
      f.send(step, 900, 100'900);   // bridges both: one session from 100 s
    };
    auto kept = f.make(w);
    bridge(kept);
    test::close_input(kept, f.out);
    auto expected = results(f.out);
    REQUIRE(expected.size() == 1);
    {
      auto step = f.reopen(w, *store);
      bridge(step);
      step.checkpoint(f.out);
      REQUIRE(results(f.out).empty());
    } // a crash
    auto restored = f.reopen(w, *store);
    test::close_input(restored, f.out);
    CHECK(results(f.out) == expected);
  }

  TEST_CASE("a restart with another parallelism: each key goes to one instance, none twice") {
    fixture f;
    auto store = make_memory_store();
    {
      std::vector<reduce_step> two;
      two.push_back(f.make(windows::count(1000), true));
      two.push_back(f.make(windows::count(1000), true));
      for (std::size_t i = 0; i < 2; ++i)
        two[i].open({"counts", i, 2, store.get()});
      for (std::int64_t v = 0; v < 100; ++v) {
        auto key = std::to_string(v % 2);
        f.send(two[key_hash(key) % 2], v);
      }
      for (auto& s : two)
        s.checkpoint(f.out);
    }
    auto one = f.make(windows::count(1000), true);
    one.open({"counts", 0, 1, store.get()});
    CHECK(one.parked() == 2); // until partition 0's first message
    f.next_offset = 0;
    for (std::int64_t v = 0; v < 110; ++v) // replayed from offset 0, then 10 new ones
      f.send(one, v);
    test::close_input(one, f.out);
    auto r = results(f.out);
    REQUIRE(r.size() == 2);
    CHECK(r[0].values.size() + r[1].values.size() == 110);
  }

  TEST_CASE("pieces of an offset split over instances are not folded again after a rebalance") {
    // A flat_map upstream turned offset 2 into four messages, two for each instance. The
    // partition goes and comes back to this process, from its committed offset 1: the
    // instances meet offsets 1 and 2 again, each having folded only some pieces of offset 2.
    fixture f;
    auto store = make_memory_store();
    std::vector<reduce_step> two;
    for (std::size_t i = 0; i < 2; ++i) {
      two.push_back(f.make(windows::count(1000), true));
      two.back().open({"counts", i, 2, store.get()});
    }
    auto send = [&](std::int64_t offset, std::vector<std::int64_t> values) {
      auto whole = test::sourced(values[0], offset);
      auto rest = whole.lineage().split(values.size());
      for (std::size_t i = 0; i < values.size(); ++i) {
        auto m = test::sourced(values[i], offset);
        m.set_lineage(i == 0 ? whole.lineage() : rest[i - 1]);
        m.set_timestamp(f.now);
        two[key_hash(std::to_string(values[i] % 2)) % 2].process(m, f.out);
      }
    };
    send(0, {0});
    send(1, {1});
    send(2, {2, 3, 4, 5});
    for (auto& s : two) { // as the runtime revokes a settled partition
      s.checkpoint(f.out);
      s.revoked(0, {0}, true);
      s.assigned(0, {0});
    }
    send(1, {1});
    send(2, {2, 3, 4, 5});
    send(3, {6});
    for (auto& s : two)
      test::close_input(s, f.out);
    std::vector<std::int64_t> all;
    for (auto& r : results(f.out))
      all.insert(all.end(), r.values.begin(), r.values.end());
    std::sort(all.begin(), all.end());
    CHECK(all == std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6});
  }

  TEST_CASE("after a revocation the drain timeout cut short, pieces still to come are folded") {
    fixture f;
    auto store = make_memory_store();
    auto step = f.make(windows::count(1000));
    step.open({"counts", 0, 1, store.get()});
    auto whole = test::sourced(std::int64_t{0}, 0);
    whole.set_timestamp(f.now);
    auto rest = whole.lineage().split(2);
    auto second = whole.derive(std::int64_t{1});
    second.set_lineage(rest[0]);
    step.process(whole, f.out);
    step.checkpoint(f.out);
    step.revoked(0, {0}, false); // the second piece was still on its way
    step.assigned(0, {0});
    step.process(second, f.out);
    test::close_input(step, f.out);
    auto r = results(f.out);
    REQUIRE(r.size() == 1);
    CHECK(r[0].values == std::vector<std::int64_t>{0, 1});
  }

  TEST_CASE("a restart that restores another process's timers emits its keys' windows from "
            "where it left them") {
    fixture f;
    auto store = make_memory_store(); // two processes' state, as a changelog shares it
    auto w = windows::tumbling(10s).event_time();
    auto a = f.make(w, true);
    auto b = f.make(w, true);
    a.open({"counts", 0, 1, store.get()});
    b.open({"counts", 0, 1, store.get()});
    f.send(a, 0, f.t0 + 1'000, 0);
    f.send(a, 2, f.t0 + 15'000, 0); // a emits key "0"'s window ending at 10 s
    f.send(b, 1, f.t0 + 1'000, 1);
    f.send(b, 3, f.t0 + 25'000, 1);
    f.send(b, 5, f.t0 + 45'000, 1); // b is ahead: it emits key "1"'s windows up to 30 s
    for (auto id : f.out.tracked) {
      a.delivered(id);
      b.delivered(id);
    }
    a.checkpoint(f.out);
    b.checkpoint(f.out); // the timers of instance 0 of 1 are b's now
    auto ends = [&] {
      std::vector<std::pair<std::string, std::int64_t>> r;
      for (auto& x : results(f.out))
        r.emplace_back(x.key, (x.end - f.t0) / 1000);
      return r;
    };
    CHECK(ends()
          == std::vector<std::pair<std::string, std::int64_t>>{{"0", 10}, {"1", 10}, {"1", 30}});
    auto again = f.make(w, true); // a restarts
    again.open({"counts", 0, 1, store.get()});
    f.send(again, 4, f.t0 + 50'000, 0);
    // Key "0"'s window ending at 20 s, which b's timers are past, comes out; nothing of b's.
    CHECK(ends() == std::vector<std::pair<std::string, std::int64_t>>{{"0", 20}});
  }

  TEST_CASE("a restart whose timers are behind a key's writer does not emit its windows again") {
    fixture f;
    auto store = make_memory_store();
    auto w = windows::sliding(30s, 10s).event_time();
    {
      std::vector<reduce_step> two;
      two.push_back(f.make(w, true));
      two.push_back(f.make(w, true));
      for (std::size_t i = 0; i < 2; ++i)
        two[i].open({"counts", i, 2, store.get()});
      auto& even = two[key_hash("0") % 2];
      auto& odd = two[key_hash("1") % 2];
      REQUIRE(&even != &odd);
      f.send(even, 0, f.t0 + 1'000, 0);
      f.send(even, 2, f.t0 + 25'000, 0); // emits key "0"'s windows ending at 10 s and 20 s
      f.send(odd, 1, f.t0 + 1'000, 1);   // emits nothing
      for (auto id : f.out.tracked)
        even.delivered(id);
      for (auto& s : two)
        s.checkpoint(f.out);
    }
    auto emitted = [&] {
      std::vector<std::pair<std::string, std::int64_t>> r;
      for (auto& x : results(f.out))
        r.emplace_back(x.key, (x.end - f.t0) / 1000);
      std::sort(r.begin(), r.end());
      return r;
    };
    auto before = emitted();
    CHECK(before == std::vector<std::pair<std::string, std::int64_t>>{{"0", 10}, {"0", 20}});
    // One instance now, with the earliest timers of the two: those of the one behind.
    auto one = f.make(w, true);
    one.open({"counts", 0, 1, store.get()});
    test::close_input(one, f.out);
    CHECK(emitted()
          == std::vector<std::pair<std::string, std::int64_t>>{
              {"0", 30}, {"0", 40}, {"0", 50}, {"1", 10}, {"1", 20}, {"1", 30}});
  }

  TEST_CASE("a window spec names what is wrong with it") {
    CHECK(windows::sliding(6s, 4s).problems().size() == 1);
    CHECK(windows::count(0).problems().size() == 1);
    CHECK(windows::tumbling(0s).problems().size() == 1);
    CHECK(windows::tumbling(1s).allowed_lateness(1s).problems().size() == 1); // processing time
    CHECK(windows::sliding(6s, 2s).event_time(1s).problems().empty());
  }
}
