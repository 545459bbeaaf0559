#include "streams/steps/keyed_state_step.hpp"

#include "streams/error.hpp"
#include "streams/pipeline.hpp"
#include "streams/sinks/stream_sinks.hpp"
#include "streams/sources/memory_source.hpp"
#include "streams/state/state_store.hpp"

#include "libstreams/support/collecting_emitter.hpp"
#include "libstreams/support/messages.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace streams;
using streams::test::collecting_emitter;

namespace {

/// A running total per key (the payload's parity), through the typed builder's functions.
std::unique_ptr<step_operator> running_total() {
  pipeline p("totals");
  p.source("in", sources::memory<std::int64_t>({}))
      .stateful_map<std::int64_t>(
          "totals", [](const std::int64_t& v) { return std::to_string(v % 2); },
          [](const std::int64_t& v, keyed_state<std::int64_t>& total) {
            if (v < 0)
              throw invalid_message("negative");
            auto sum = total.get_or(0) + v;
            total.put(sum);
            if (v == 0) // zero resets
              total.erase();
            return sum;
          })
      .sink("out", sinks::memory<std::int64_t>(std::make_shared<memory_store>()));
  return p.graph().step(*p.graph().find("totals")).make_operator();
}

std::vector<std::int64_t> outputs(collecting_emitter& out) {
  std::vector<std::int64_t> r;
  for (auto& e : out.out)
    r.push_back(e.msg.payload<std::int64_t>());
  out.out.clear();
  return r;
}

void send(step_operator& op, collecting_emitter& out, std::int64_t v, std::int64_t offset) {
  auto m = test::sourced(v, offset);
  op.process(m, out);
}

} // namespace

TEST_SUITE("steps.keyed_state_step") {
  TEST_CASE("each key has its own state: get, put and erase") {
    auto op = running_total();
    collecting_emitter out;
    std::int64_t offset = 0;
    for (std::int64_t v : {1, 2, 3, 4, 5, 0, 7})
      send(*op, out, v, offset++);
    // odd: 1 4 9, even: 2 6, then 0 erases even's total (the output is still 6+0).
    CHECK(outputs(out) == std::vector<std::int64_t>{1, 2, 4, 6, 9, 6, 16});
    send(*op, out, 2, offset++);
    CHECK(outputs(out) == std::vector<std::int64_t>{2});
  }

  TEST_CASE("an invalid message leaves the state as it was") {
    auto op = running_total();
    collecting_emitter out;
    send(*op, out, 3, 0);
    CHECK_THROWS_AS(send(*op, out, -1, 1), invalid_message);
    send(*op, out, 5, 2);
    CHECK(outputs(out) == std::vector<std::int64_t>{3, 8});
  }

  TEST_CASE("state survives a restart, replayed inputs neither change it nor come out again") {
    auto store = make_memory_store();
    collecting_emitter out;
    {
      auto op = running_total();
      op->open({"totals", 0, 1, store.get()});
      for (std::int64_t i = 0; i < 4; ++i)
        send(*op, out, 2 * i + 1, i); // odd: 1 4 9 16
      for (auto id : out.tracked)
        op->delivered(id);
      op->checkpoint(out);
      send(*op, out, 100, 4); // even, after the checkpoint: lost with the crash
    }
    CHECK(outputs(out) == std::vector<std::int64_t>{1, 4, 9, 16, 100});
    auto op = running_total();
    op->open({"totals", 0, 1, store.get()});
    CHECK_FALSE(op->next_deadline().has_value()); // every output before it was delivered
    for (std::int64_t i = 0; i < 6; ++i)          // the source replays from offset 0
      send(*op, out, i < 4 ? 2 * i + 1 : 100, i);
    CHECK(outputs(out) == std::vector<std::int64_t>{100, 200});
  }

  TEST_CASE("an output not delivered before a crash is emitted again from the store") {
    auto store = make_memory_store();
    collecting_emitter out;
    {
      auto op = running_total();
      op->open({"totals", 0, 1, store.get()});
      send(*op, out, 7, 0);
      op->checkpoint(out);
    }
    outputs(out);
    auto op = running_total();
    op->open({"totals", 0, 1, store.get()});
    REQUIRE(op->next_deadline().has_value());
    op->on_tick(clock::now(), out);
    CHECK(outputs(out) == std::vector<std::int64_t>{7});
    CHECK(out.released.size() == 1); // the first run's checkpoint released offset 0
  }
}
