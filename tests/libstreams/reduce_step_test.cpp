#include "streams/steps/reduce_step.hpp"

#include "streams/state/state_store.hpp"

#include "libstreams/support/collecting_emitter.hpp"
#include "libstreams/support/messages.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <string>
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
