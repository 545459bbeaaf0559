#include "streams/error.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace streams;

TEST_SUITE("error") {

  TEST_CASE("pipeline_error keeps its problems and lists them in what()") {
    pipeline_error e({"step 'a' does not end in a sink", "step name 'b' is used more than once"});
    REQUIRE(e.problems().size() == 2);
    CHECK(e.problems()[1] == "step name 'b' is used more than once");
    std::string what = e.what();
    auto a = what.find("step 'a' does not end in a sink");
    auto b = what.find("step name 'b' is used more than once");
    REQUIRE(a != std::string::npos);
    REQUIRE(b != std::string::npos);
    CHECK(a < b);
    CHECK(what.find('\n') != std::string::npos); // one problem per line
  }

  TEST_CASE("invalid_message and pipeline_error are different kinds of error") {
    // The runtime sends one to the dead-letter sink and refuses to start on the other.
    bool caught_as_pipeline_error = false;
    try {
      throw invalid_message("bad record");
    } catch (const pipeline_error&) {
      caught_as_pipeline_error = true;
    } catch (const invalid_message& e) {
      CHECK(std::string(e.what()) == "bad record");
    }
    CHECK_FALSE(caught_as_pipeline_error);
  }

} // TEST_SUITE
