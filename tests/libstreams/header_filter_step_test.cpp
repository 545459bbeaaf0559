#include "streams/steps/header_filter_step.hpp"

#include "streams/error.hpp"

#include "libstreams/support/collecting_emitter.hpp"
#include "libstreams/support/messages.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>

using namespace streams;
using streams::test::collecting_emitter;

namespace {

message with_header(std::optional<std::string> value) {
  auto m = test::sourced(bytes("payload"), 8);
  m.add_header("other", "42");
  if (value)
    m.add_header("org", *value);
  return m;
}

} // namespace

TEST_SUITE("steps.header_filter_step") {

  TEST_CASE("the header holding the value passes unchanged") {
    header_filter_step step("org", 42);
    auto in = with_header("42");
    collecting_emitter out;
    step.process(in, out);
    CHECK(out.dropped.empty());
    REQUIRE(out.out.size() == 1);
    CHECK(out.out[0].port == 0);
    CHECK(out.out[0].msg.payload<bytes>() == "payload");
    CHECK(out.out[0].msg.lineage().origins().front().offset == 8);
  }

  TEST_CASE("negative values compare as integers") {
    header_filter_step step("org", -7);
    collecting_emitter out;
    auto yes = with_header("-7");
    auto no = with_header("7");
    step.process(yes, out);
    step.process(no, out);
    CHECK(out.out.size() == 1);
    CHECK(out.dropped.size() == 1);
  }

  TEST_CASE("another number, an empty or a missing header is dropped") {
    header_filter_step step("org", 42);
    for (std::optional<std::string> v :
         {std::optional<std::string>("41"), std::optional<std::string>(""),
          std::optional<std::string>()}) {
      CAPTURE(v.value_or("<missing>"));
      auto in = with_header(v);
      collecting_emitter out;
      step.process(in, out);
      CHECK(out.out.empty());
      REQUIRE(out.dropped.size() == 1);
      CHECK(out.dropped[0].lineage().origins().front() == origin{0, 0, 8, origin::full_weight});
    }
  }

  TEST_CASE("a header that is not an integer is an invalid message, left as it was") {
    header_filter_step step("org", 42);
    for (std::string v : {"4x2", "abc", "42 ", "4.2"}) {
      CAPTURE(v);
      auto in = with_header(v);
      auto original = in;
      collecting_emitter out;
      CHECK_THROWS_AS(step.process(in, out), invalid_message);
      CHECK(out.empty());
      CHECK(in.payload<bytes>() == "payload");
      CHECK(in.headers() == original.headers());
      CHECK(in.lineage().origins() == original.lineage().origins());
    }
  }

  TEST_CASE("the error names the header and its value") {
    header_filter_step step("org", 42);
    auto in = with_header("4x2");
    collecting_emitter out;
    try {
      step.process(in, out);
      FAIL("expected invalid_message");
    } catch (const invalid_message& e) {
      std::string what = e.what();
      CHECK(what.find("org") != std::string::npos);
      CHECK(what.find("4x2") != std::string::npos);
    }
  }

} // TEST_SUITE
