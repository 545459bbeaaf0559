#include "streams/payload_type_name.hpp"

#include "streams/json.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace streams;

namespace {
struct user_event {};
} // namespace

TEST_SUITE("payload_type_name") {

  TEST_CASE("payload types have readable names") {
    CHECK(payload_type_of<bytes>().name == "bytes");
    CHECK(payload_type_of<json>().name == "json");
    CHECK(payload_type_of<std::vector<json>>().name == "list<json>");
    CHECK(payload_type_of<std::vector<std::vector<bytes>>>().name == "list<list<bytes>>");
    CHECK(payload_type_of<int>().name == "int");
    CHECK(payload_type_of<user_event>().name.find("user_event") != std::string::npos);
  }

  TEST_CASE("payload types compare by type, not by name") {
    CHECK(payload_type_of<bytes>() == payload_type_of<std::string>());
    CHECK(payload_type_of<bytes>() != payload_type_of<json>());
    CHECK(payload_type_of<std::vector<bytes>>() != payload_type_of<bytes>());
    payload_type renamed = payload_type_of<int>();
    renamed.name = "something else";
    CHECK(renamed == payload_type_of<int>());
  }

} // TEST_SUITE
