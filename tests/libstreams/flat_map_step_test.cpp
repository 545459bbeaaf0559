#include "streams/steps/flat_map_step.hpp"

#include "libstreams/support/collecting_emitter.hpp"
#include "libstreams/support/messages.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace streams;
using streams::test::collecting_emitter;

namespace {

/// Splits a bytes payload into its characters, one output each.
flat_map_step characters() {
  return flat_map_step([](const message& m) {
    std::vector<value> out;
    for (char c : m.payload<bytes>())
      out.emplace_back(bytes(1, c));
    return out;
  });
}

std::vector<const lineage*> lineages(const collecting_emitter& out) {
  std::vector<const lineage*> l;
  for (auto& e : out.out)
    l.push_back(&e.msg.lineage());
  return l;
}

} // namespace

TEST_SUITE("steps.flat_map_step") {

  TEST_CASE("no outputs is a deliberate drop of the input") {
    auto step = characters();
    auto in = test::sourced(bytes(""), 4);
    collecting_emitter out;
    step.process(in, out);
    CHECK(out.out.empty());
    REQUIRE(out.dropped.size() == 1);
    CHECK(out.dropped[0].lineage().origins().front() == origin{0, 0, 4, origin::full_weight});
  }

  TEST_CASE("one output carries the whole weight and the input's metadata") {
    auto step = characters();
    auto in = test::decorated(bytes("a"), 4);
    auto original = in;
    collecting_emitter out;
    step.process(in, out);
    CHECK(out.dropped.empty());
    REQUIRE(out.out.size() == 1);
    auto& m = out.out[0].msg;
    CHECK(out.out[0].port == 0);
    CHECK(m.payload<bytes>() == "a");
    CHECK(m.lineage().origins() == original.lineage().origins());
    CHECK(m.key() == original.key());
    CHECK(m.headers() == original.headers());
    CHECK(m.timestamp() == original.timestamp());
    CHECK(m.schema() == original.schema());
  }

  TEST_CASE("many outputs come in the order the function returned them") {
    auto step = characters();
    auto in = test::sourced(bytes("abcde"), 0);
    collecting_emitter out;
    step.process(in, out);
    REQUIRE(out.out.size() == 5);
    std::string order;
    for (auto& e : out.out)
      order += e.msg.payload<bytes>();
    CHECK(order == "abcde");
  }

  TEST_CASE("the weights of many outputs add up to the input's weight") {
    auto step = characters();
    auto in = test::decorated(bytes("abcdefg"), 12);
    auto original = in;
    collecting_emitter out;
    step.process(in, out);
    REQUIRE(out.out.size() == 7);
    auto& where = original.lineage().origins().front();
    CHECK(test::weight_for(lineages(out), where) == test::full());
    for (auto& e : out.out) {
      REQUIRE(e.msg.lineage().origins().size() == 1);
      CHECK(test::same_place(e.msg.lineage().origins().front(), where));
      CHECK(e.msg.lineage().origins().front().weight < origin::full_weight);
      CHECK(e.msg.headers() == original.headers());
      CHECK(e.msg.key() == original.key());
      CHECK(e.msg.timestamp() == original.timestamp());
      CHECK(e.msg.schema() == original.schema());
    }
  }

  TEST_CASE("a batch input spreads every origin's weight over the outputs") {
    auto step = characters();
    auto in = test::sourced(bytes("xyz"), 1);
    in.lineage().absorb(lineage(origin{0, 0, 2, origin::full_weight}));
    in.lineage().absorb(lineage(origin{0, 1, 2, origin::full_weight / 2}));
    collecting_emitter out;
    step.process(in, out);
    REQUIRE(out.out.size() == 3);
    CHECK(test::weight_for(lineages(out), origin{0, 0, 1, 0}) == test::full());
    CHECK(test::weight_for(lineages(out), origin{0, 0, 2, 0}) == test::full());
    CHECK(test::weight_for(lineages(out), origin{0, 1, 2, 0}) == origin::full_weight / 2);
  }

  TEST_CASE("a throwing function leaves the message untouched") {
    flat_map_step step([](const message&) -> std::vector<value> { throw std::runtime_error("x"); });
    auto in = test::sourced(bytes("abc"), 1);
    collecting_emitter out;
    CHECK_THROWS_AS(step.process(in, out), std::runtime_error);
    CHECK(out.empty());
    CHECK(in.payload<bytes>() == "abc");
    CHECK(in.lineage().origins().front().weight == origin::full_weight);
  }

} // TEST_SUITE
