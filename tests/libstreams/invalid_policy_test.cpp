#include "streams/invalid_policy.hpp"

#include <doctest/doctest.h>

using namespace streams;

TEST_SUITE("invalid_policy") {

  TEST_CASE("without limits every invalid message is within them") {
    invalid_limit limit({on_invalid::dead_letter, {}, {}});
    for (int offset = 0; offset < 100; ++offset)
      CHECK(limit.record(0, 0, offset).empty());
  }

  TEST_CASE("max_consecutive_count: more invalid messages in a row than it stop, per partition") {
    invalid_limit limit({on_invalid::dead_letter, {}, 2});
    CHECK(limit.record(0, 0, 10).empty());
    CHECK(limit.record(0, 0, 11).empty());
    CHECK(limit.record(1, 0, 12).empty()); // another partition counts on its own
    CHECK(limit.record(0, 0, 13).empty()); // a valid message (12) in between starts over
    CHECK(limit.record(0, 0, 14).empty());
    auto error = limit.record(0, 0, 15);
    CHECK(error == "partition 0: 3 invalid messages in a row, more than max_consecutive_count 2");
  }

  TEST_CASE("pieces of one offset (a batch, a flat_map) count once") {
    invalid_limit limit({on_invalid::dead_letter, {}, 1});
    CHECK(limit.record(0, 0, 5).empty());
    CHECK(limit.record(0, 0, 5).empty());
    CHECK(limit.record(0, 0, 5).empty());
    CHECK_FALSE(limit.record(0, 0, 6).empty());
  }

  TEST_CASE("max_invalid_ratio: invalid over valid, the valid ones counted from the first offset") {
    invalid_limit limit({on_invalid::dead_letter, 0.3, {}});
    // offsets 100..103 valid, 104 invalid: 1 to 4
    CHECK(limit.record(0, 100, 104).empty());
    // 105..107 valid, 108 invalid: 2 to 7
    CHECK(limit.record(0, 100, 108).empty());
    // 109 invalid at once: 3 to 7, past 0.3
    auto error = limit.record(0, 100, 109);
    CHECK(error.find("3 invalid messages to 7 valid ones, more than max_invalid_ratio 0.3")
          != std::string::npos);
  }

  TEST_CASE("max_invalid_ratio: an invalid message before any valid one is past it, as arroyo's") {
    invalid_limit limit({on_invalid::dead_letter, 10.0, {}});
    CHECK_FALSE(limit.record(3, 42, 42).empty());
  }

  TEST_CASE("the config spelling of each action") {
    CHECK(std::string(to_string(on_invalid::stop)) == "stop");
    CHECK(std::string(to_string(on_invalid::drop)) == "drop");
    CHECK(std::string(to_string(on_invalid::dead_letter)) == "dlq");
  }

} // TEST_SUITE
