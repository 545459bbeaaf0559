#include "streams/steps/router_step.hpp"

#include "streams/error.hpp"
#include "streams/json.hpp"

#include "libstreams/support/collecting_emitter.hpp"
#include "libstreams/support/messages.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace streams;
using streams::test::collecting_emitter;

namespace {

router_step by_destination() {
  return router_step({"errors", "events", "metrics"},
                     [](const message& m) { return *m.header("dest"); });
}

message to(const std::string& dest, std::int64_t offset) {
  auto m = test::sourced(bytes("payload-" + std::to_string(offset)), offset);
  m.add_header("dest", dest);
  return m;
}

} // namespace

TEST_SUITE("steps.router_step") {

  TEST_CASE("router sends each message to exactly the branch its key names") {
    auto step = by_destination();
    collecting_emitter out;
    std::vector<std::string> dests{"metrics", "errors", "events", "metrics", "errors"};
    for (std::size_t i = 0; i < dests.size(); ++i) {
      auto m = to(dests[i], static_cast<std::int64_t>(i));
      step.process(m, out);
      REQUIRE(out.out.size() == i + 1); // one output per input, never more
    }
    CHECK(out.dropped.empty());
    const std::vector<std::size_t> expected_ports{2, 0, 1, 2, 0};
    for (std::size_t i = 0; i < dests.size(); ++i) {
      CAPTURE(i);
      CHECK(out.out[i].port == expected_ports[i]);
      CHECK(out.out[i].msg.payload<bytes>() == "payload-" + std::to_string(i));
      // The message goes whole: its lineage is not split.
      CHECK(out.out[i].msg.lineage().origins().front().weight == origin::full_weight);
    }
  }

  TEST_CASE("a key naming no branch is an invalid message, left as it was") {
    auto step = by_destination();
    collecting_emitter out;
    auto m = to("nowhere", 3);
    try {
      step.process(m, out);
      FAIL("expected invalid_message");
    } catch (const invalid_message& e) {
      CHECK(std::string(e.what()).find("nowhere") != std::string::npos);
    }
    CHECK(out.empty());
    CHECK(m.payload<bytes>() == "payload-3");
    CHECK(m.lineage().origins().front() == origin{0, 0, 3, origin::full_weight});
  }

  TEST_CASE("broadcast sends a copy to every port, weights split exactly") {
    broadcast_step step(3);
    collecting_emitter out;
    auto in = test::decorated(json::parse(R"({"v":1})"), 21);
    auto original = in;
    step.process(in, out);

    REQUIRE(out.out.size() == 3);
    CHECK(out.dropped.empty());
    std::vector<const lineage*> lineages;
    for (std::size_t port = 0; port < 3; ++port) {
      CAPTURE(port);
      auto msgs = out.on_port(port);
      REQUIRE(msgs.size() == 1);
      auto& m = *msgs[0];
      CHECK(m.payload<json>().get_int("v") == 1);
      CHECK(m.key() == original.key());
      CHECK(m.headers() == original.headers());
      CHECK(m.timestamp() == original.timestamp());
      CHECK(m.schema() == original.schema());
      REQUIRE(m.lineage().origins().size() == 1);
      CHECK(m.lineage().origins().front().weight < origin::full_weight);
      lineages.push_back(&m.lineage());
    }
    CHECK(test::weight_for(lineages, original.lineage().origins().front()) == test::full());
  }

  TEST_CASE("broadcast copies are independent of each other") {
    broadcast_step step(3);
    collecting_emitter out;
    auto in = test::sourced(json::parse(R"({"v":1,"s":"orig"})"), 0);
    in.add_header("h", "orig");
    step.process(in, out);
    REQUIRE(out.out.size() == 3);

    auto& zero = out.first_on_port(0);
    zero.payload<json>().set("v", std::int64_t{2});
    zero.payload<json>().set("s", std::string_view("changed"));
    zero.headers()[0].value = "changed";

    for (std::size_t port : {1u, 2u}) {
      CAPTURE(port);
      auto& m = *out.on_port(port).at(0);
      CHECK(m.payload<json>().get_int("v") == 1);
      CHECK(m.payload<json>().get_string("s") == "orig");
      CHECK(*m.header("h") == "orig");
    }
    CHECK(zero.payload<json>().get_int("v") == 2);
  }

  TEST_CASE("broadcast of a batch splits every origin over the copies") {
    broadcast_step step(2);
    collecting_emitter out;
    auto in = test::sourced(bytes("x"), 1);
    in.lineage().absorb(lineage(origin{0, 4, 9, origin::full_weight}));
    step.process(in, out);
    REQUIRE(out.out.size() == 2);
    std::vector<const lineage*> lineages{&out.out[0].msg.lineage(), &out.out[1].msg.lineage()};
    CHECK(test::weight_for(lineages, origin{0, 0, 1, 0}) == test::full());
    CHECK(test::weight_for(lineages, origin{0, 4, 9, 0}) == test::full());
  }

  TEST_CASE("broadcast to one branch passes the message on whole") {
    broadcast_step step(1);
    collecting_emitter out;
    auto in = test::sourced(bytes("x"), 1);
    step.process(in, out);
    REQUIRE(out.out.size() == 1);
    CHECK(out.out[0].port == 0);
    CHECK(out.out[0].msg.lineage().origins().front().weight == origin::full_weight);
  }

} // TEST_SUITE
