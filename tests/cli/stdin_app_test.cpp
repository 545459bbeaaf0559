// The stdin source and the stdout sink, through a real process: lines in, lines out, and the
// pipeline ends by itself when its input does.

#include "cli/cli_test_support.hpp"
#include "support/run_process.hpp"

#include <doctest/doctest.h>

using namespace streams::test;

TEST_CASE("a pipeline reading standard input ends when the input does, having written every line") {
  std::string input;
  for (int i = 0; i < 3000; ++i)
    input +=
        "line " + std::to_string(i) + "\n" + (i % 1000 == 0 ? "\n" : ""); // empty lines are skipped
  auto r = run_process({streams_bin, "run", STDIN_APP}, input);
  INFO(r.err);
  REQUIRE_FALSE(r.timed_out);
  CHECK(r.exit_code == 0);
  std::string expected;
  for (int i = 0; i < 3000; ++i)
    expected += "LINE " + std::to_string(i) + "\n";
  CHECK(r.out == expected);
}
