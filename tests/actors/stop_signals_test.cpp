// SIGINT/SIGTERM as a stop request, for a process that runs pipelines one after another.

#include "streams/actors/stop_signals.hpp"

#include <doctest/doctest.h>

#include <csignal>

using namespace streams::actors;

TEST_SUITE("actors.stop_signals") {
  TEST_CASE("a signal stops the run that installed the handler, not the next one") {
    install_stop_signals();
    CHECK_FALSE(stop_requested());
    REQUIRE(std::raise(SIGTERM) == 0); // caught: the process goes on
    CHECK(stop_requested());
    install_stop_signals(); // the next run in this process starts without a stop request
    CHECK_FALSE(stop_requested());
    REQUIRE(std::raise(SIGINT) == 0); // caught again: the handler is back
    CHECK(stop_requested());
    install_stop_signals();
    std::signal(SIGINT, SIG_DFL); // as the test binary was
    std::signal(SIGTERM, SIG_DFL);
  }
}
