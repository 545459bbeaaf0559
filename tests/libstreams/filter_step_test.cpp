#include "streams/steps/filter_step.hpp"

#include "libstreams/support/collecting_emitter.hpp"
#include "libstreams/support/messages.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace streams;
using streams::test::collecting_emitter;

TEST_SUITE("steps.filter_step") {

  TEST_CASE("filter emits what the predicate keeps and drops the rest") {
    filter_step step([](const message& m) { return m.payload<int>() % 2 == 0; });
    collecting_emitter out;
    for (int i = 0; i < 5; ++i) {
      auto m = test::sourced(i, 100 + i);
      step.process(m, out);
    }
    REQUIRE(out.out.size() == 3);
    REQUIRE(out.dropped.size() == 2);
    for (std::size_t i = 0; i < 3; ++i) {
      CHECK(out.out[i].port == 0);
      CHECK(out.out[i].msg.payload<int>() == static_cast<int>(2 * i));
      CHECK(out.out[i].msg.lineage().origins().front().offset == 100 + 2 * static_cast<int>(i));
    }
    // Dropped messages keep their lineage: the runtime counts their offsets as done.
    CHECK(out.dropped[0].payload<int>() == 1);
    CHECK(out.dropped[0].lineage().origins().front() == origin{0, 0, 101, origin::full_weight});
    CHECK(out.dropped[1].payload<int>() == 3);
  }

  TEST_CASE("a kept message is emitted unchanged") {
    filter_step step([](const message&) { return true; });
    auto in = test::decorated(bytes("x"), 9);
    auto original = in;
    collecting_emitter out;
    step.process(in, out);
    REQUIRE(out.out.size() == 1);
    auto& m = out.out[0].msg;
    CHECK(m.payload<bytes>() == "x");
    CHECK(m.key() == original.key());
    CHECK(m.headers() == original.headers());
    CHECK(m.timestamp() == original.timestamp());
    CHECK(m.schema() == original.schema());
    CHECK(m.lineage().origins() == original.lineage().origins());
  }

  TEST_CASE("a throwing predicate leaves the message untouched") {
    filter_step step([](const message&) -> bool { throw std::logic_error("no"); });
    auto in = test::sourced(bytes("x"), 1);
    collecting_emitter out;
    CHECK_THROWS_AS(step.process(in, out), std::logic_error);
    CHECK(out.empty());
    CHECK(in.payload<bytes>() == "x");
    CHECK(in.lineage().origins().size() == 1);
  }

} // TEST_SUITE
