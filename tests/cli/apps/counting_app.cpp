// A test app for the CLI, loaded from a shared library: numbers 0, 1, 2, ... (practically
// without end) as lines appended to the file named by STREAMS_TEST_OUTPUT.

#include "streams/app.hpp"
#include "streams/sinks/stream_sinks.hpp"
#include "streams/sources/memory_source.hpp"

#include <cstdlib>

namespace {

void build(streams::pipeline& p) {
  const char* out = std::getenv("STREAMS_TEST_OUTPUT");
  p.source("numbers", streams::sources::generate<streams::bytes>(
                          1'000'000'000, [](std::size_t i) { return std::to_string(i); }))
      .map("same", [](const streams::bytes& b) { return b; })
      .sink("lines", streams::sinks::file_lines(out ? out : "/dev/null"));
}

} // namespace

STREAMS_APP(build)
