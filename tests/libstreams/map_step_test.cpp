#include "streams/steps/map_step.hpp"

#include "libstreams/support/collecting_emitter.hpp"
#include "libstreams/support/messages.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

using namespace streams;
using streams::test::collecting_emitter;

TEST_SUITE("steps.map_step") {

  TEST_CASE("map replaces the payload and keeps key, headers, timestamp, schema and lineage") {
    map_step step([](const message& m) -> value { return m.payload<bytes>().size(); });
    auto in = test::decorated(bytes("hello"), 17);
    auto original = in; // copied before the step moves it on
    collecting_emitter out;
    step.process(in, out);

    REQUIRE(out.out.size() == 1);
    CHECK(out.dropped.empty());
    auto& [port, m] = out.out.front();
    CHECK(port == 0);
    REQUIRE(m.payload_if<std::size_t>() != nullptr);
    CHECK(m.payload<std::size_t>() == 5);
    CHECK(m.key() == original.key());
    CHECK(m.headers() == original.headers());
    CHECK(m.timestamp() == original.timestamp());
    CHECK(m.schema() == original.schema());
    CHECK(m.lineage().origins() == original.lineage().origins());
  }

  TEST_CASE("map gives the function the whole message") {
    map_step step([](const message& m) -> value { return *m.header("h2") + m.payload<bytes>(); });
    auto in = test::decorated(bytes("!"), 0);
    collecting_emitter out;
    step.process(in, out);
    REQUIRE(out.out.size() == 1);
    CHECK(out.out[0].msg.payload<bytes>() == "v2!");
  }

  TEST_CASE("a throwing map function leaves the message untouched and emits nothing") {
    map_step step([](const message&) -> value { throw std::runtime_error("boom"); });
    auto in = test::decorated(bytes("keep me"), 3);
    collecting_emitter out;
    CHECK_THROWS_WITH_AS(step.process(in, out), "boom", std::runtime_error);
    CHECK(out.empty());
    CHECK(in.payload<bytes>() == "keep me");
    CHECK(in.lineage().origins().size() == 1);
  }

  TEST_CASE("each message is mapped on its own") {
    int calls = 0;
    map_step step([&](const message& m) -> value {
      ++calls;
      return m.payload<int>() * 10;
    });
    collecting_emitter out;
    for (int i = 1; i <= 3; ++i) {
      auto m = test::sourced(i, i);
      step.process(m, out);
    }
    CHECK(calls == 3);
    REQUIRE(out.out.size() == 3);
    for (int i = 0; i < 3; ++i) {
      CHECK(out.out[i].msg.payload<int>() == (i + 1) * 10);
      CHECK(out.out[i].msg.lineage().origins().front().offset == i + 1);
    }
  }

} // TEST_SUITE
