#include "streams/message.hpp"

#include <doctest/doctest.h>

#include <string>
#include <typeinfo>

using namespace streams;

TEST_SUITE("message") {

  TEST_CASE("the payload is read back as the type it holds") {
    message m(std::string("abc"));
    CHECK(m.payload<bytes>() == "abc");
    CHECK(m.payload_if<bytes>() != nullptr);
    CHECK(m.payload_if<int>() == nullptr);
    CHECK_THROWS_AS(m.payload<int>(), std::bad_cast);
    m.set_payload(7);
    CHECK(m.payload<int>() == 7);
  }

  TEST_CASE("header returns the first header of that name") {
    message m(bytes("x"));
    CHECK(m.header("a") == nullptr);
    m.add_header("a", "1");
    m.add_header("b", "2");
    m.add_header("a", "3");
    REQUIRE(m.header("a") != nullptr);
    CHECK(*m.header("a") == "1");
    CHECK(*m.header("b") == "2");
    CHECK(m.headers().size() == 3);
  }

  TEST_CASE("derive keeps everything but the payload and the lineage") {
    message m(bytes("in"));
    m.set_key(bytes("k"));
    m.add_header("h", "v");
    m.set_timestamp(1234);
    m.set_schema("s");
    m.set_lineage(lineage(origin{0, 1, 2, origin::full_weight}));
    auto d = m.derive(5);
    CHECK(d.payload<int>() == 5);
    CHECK(d.key() == m.key());
    CHECK(d.headers() == m.headers());
    CHECK(d.timestamp() == 1234);
    CHECK(d.schema() == "s");
    CHECK(d.lineage().empty());
    CHECK(m.payload<bytes>() == "in");
  }

  TEST_CASE("now_ms is milliseconds since the epoch") {
    auto t = now_ms();
    CHECK(t > 1'600'000'000'000); // after September 2020
    CHECK(t < 4'102'444'800'000); // before 2100
  }

} // TEST_SUITE
