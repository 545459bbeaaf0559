// A test app for the CLI, loaded from a shared library: numbers 0, 1, 2, ... (practically
// without end) as lines appended to the file named by STREAMS_TEST_OUTPUT. With
// STREAMS_TEST_DELAY_US, each message takes that many microseconds in the map step, so that
// thousands of messages are in flight (waiting for the map) at any time. With
// STREAMS_TEST_FAIL set, the map step throws on every message (a step past its restart limit).

#include "streams/app.hpp"
#include "streams/sinks/stream_sinks.hpp"
#include "streams/sources/memory_source.hpp"

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace {

void build(streams::pipeline& p) {
  const char* out = std::getenv("STREAMS_TEST_OUTPUT");
  const char* delay_env = std::getenv("STREAMS_TEST_DELAY_US");
  auto delay = std::chrono::microseconds(delay_env ? std::atol(delay_env) : 0);
  bool fail = std::getenv("STREAMS_TEST_FAIL") != nullptr;
  p.source("numbers", streams::sources::generate<streams::bytes>(
                          1'000'000'000, [](std::size_t i) { return std::to_string(i); }))
      .map("same",
           [delay, fail](const streams::bytes& b) {
             if (fail)
               throw std::runtime_error("the database is gone");
             if (delay.count() > 0)
               std::this_thread::sleep_for(delay);
             return b;
           })
      .sink("lines", streams::sinks::file_lines(out ? out : "/dev/null"));
}

} // namespace

STREAMS_APP(build)
