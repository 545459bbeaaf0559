#include "streams/config/config_error.hpp"

#include <doctest/doctest.h>

#include <sstream>

using namespace streams::config;

TEST_SUITE("config.config_error") {
  TEST_CASE("one line: path, message, then where") {
    CHECK(to_string({"pipeline.segments[0].steps_config.mysink.topic",
                     "expected a non-empty string, found a map", "deploy.yaml", 12, 9})
          == "pipeline.segments[0].steps_config.mysink.topic: expected a non-empty string, "
             "found a map (deploy.yaml, line 12, column 9)");
    CHECK(to_string({"metrics.type", "expected one of dummy, log", "", 3, 9})
          == "metrics.type: expected one of dummy, log (line 3, column 9)");
    CHECK(to_string({"", "invalid YAML: illegal map value", "", 2, 0})
          == "invalid YAML: illegal map value (line 2)");
    CHECK(to_string({"pipeline.segments[].steps_config.in", "missing settings", "d.yaml", 0, 0})
          == "pipeline.segments[].steps_config.in: missing settings (d.yaml)");
    CHECK(to_string({"a", "b", "", 0, 0}) == "a: b");
  }

  TEST_CASE("streams as to_string") {
    std::ostringstream out;
    out << config_error{"a", "b", "f", 1, 2};
    CHECK(out.str() == "a: b (f, line 1, column 2)");
  }
}
