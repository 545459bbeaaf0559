// Every layer's `errc`: each code has its name (`to_string`) and its kind (`kind_of`), and the
// code of the exception that carries it is "<layer>.<name>". The tables below list every
// enumerator in order; one added to an enum without its name and kind makes these fail (and
// -Wswitch warn).

#include "streams/actors/run_error.hpp"
#include "streams/deployment/deployment.hpp"
#include "streams/error.hpp"
#include "streams/kafka/kafka_error.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace streams;

namespace {

struct expected {
  std::string name;
  error_category category;
  bool retryable;
};

/// Checks `E`'s codes 0..n-1 against `table` and that code n is no code at all.
template <class E, class Error>
void check_layer(const std::string& layer, const std::vector<expected>& table) {
  for (std::size_t i = 0; i < table.size(); ++i) {
    auto code = static_cast<E>(i);
    CAPTURE(table[i].name);
    CHECK(std::string(to_string(code)) == table[i].name);
    CHECK(kind_of(code).category == table[i].category);
    CHECK(kind_of(code).retryable == table[i].retryable);
    if constexpr (std::is_constructible_v<Error, E, std::string>) {
      Error e(code, "x");
      const error& base = e;
      CHECK(base.code() == layer + "." + table[i].name);
      CHECK(base.category() == table[i].category);
    }
  }
  CHECK(std::string(to_string(static_cast<E>(table.size()))) == "unknown");
}

using c = error_category;

} // namespace

TEST_SUITE("deployment.errc") {
  TEST_CASE("the core's codes") {
    check_layer<errc, core_error>(
        "core", {{"invalid_pipeline", c::user, false}, {"step_setup", c::user, false}});
  }

  TEST_CASE("the Kafka layer's codes") {
    check_layer<kafka::errc, kafka::kafka_error>("kafka", {{"invalid_config", c::user, false},
                                                           {"client_creation", c::external, false},
                                                           {"broker_command", c::user, false},
                                                           {"offset_reset", c::user, false},
                                                           {"fatal", c::external, true},
                                                           {"unreachable", c::external, true}});
  }

  TEST_CASE("the deployment layer's codes") {
    check_layer<deploy::errc, deploy::config_errors>(
        "deploy", {{"invalid_config", c::user, false}, {"invalid_app", c::user, false}});
  }

  TEST_CASE("the runtime's codes") {
    check_layer<runtime_errc, run_error>("runtime", {{"invalid_message", c::user, false},
                                                     {"dead_letter_limit", c::user, false},
                                                     {"restart_limit", c::user, false},
                                                     {"step_failed", c::user, true},
                                                     {"connector_failed", c::external, true},
                                                     {"drain_timeout", c::external, true},
                                                     {"actor_died", c::internal, false},
                                                     {"node_lost", c::external, true},
                                                     {"wire_corrupt", c::internal, false},
                                                     {"pipeline_mismatch", c::user, false}});
  }

  TEST_CASE("the categories") {
    CHECK(std::string(to_string(c::user)) == "user");
    CHECK(std::string(to_string(c::external)) == "external");
    CHECK(std::string(to_string(c::internal)) == "internal");
  }
}
