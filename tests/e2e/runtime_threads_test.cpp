// What the end-to-end tests rely on when they run a pipeline in this process: a runtime
// started on one thread may be waited for, and destroyed, on another.

#include "streams/actors/runtime.hpp"

#include "streams/pipeline.hpp"
#include "streams/sinks/stream_sinks.hpp"
#include "streams/sources/memory_source.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>

using namespace streams;
using namespace std::chrono_literals;

TEST_SUITE("e2e.runtime_threads") {
  // Spawning actors made the starting thread hold the actor system's logger, and destroying
  // the system waits for its logger: waited for on another thread, the runtime never ended.
  TEST_CASE("a runtime started on one thread ends when waited for on another") {
    auto store = std::make_shared<memory_store>();
    pipeline p("threads");
    p.source("in", sources::memory<bytes>({"a", "b", "c"}))
        .map("same", [](const bytes& b) { return b; })
        .sink("out", sinks::memory<bytes>(store));
    runtime r(p.graph());
    r.start();
    auto waiting = std::async(std::launch::async, [&] { return r.wait(); });
    if (waiting.wait_for(30s) != std::future_status::ready) {
      // The waiting thread cannot be abandoned (it uses `r`): end here, as a hang would.
      std::fprintf(stderr, "FATAL: runtime::wait on another thread did not return\n");
      std::abort();
    }
    CHECK(waiting.get().ok);
    CHECK(store->payloads<bytes>() == std::vector<bytes>{"a", "b", "c"});
  }
}
