#include "streams/sinks/devnull_sink.hpp"

#include "libstreams/support/messages.hpp"
#include "support/recording_report.hpp"

#include <doctest/doctest.h>

#include <thread>

using namespace streams;
using namespace streams::test;
using namespace std::chrono_literals;

TEST_SUITE("devnull_sink") {
  TEST_CASE("without options every message is delivered at once") {
    auto sink = sinks::devnull().make();
    recording_report report;
    auto batch = batch_of({"a", "b", "c"}, 5);
    sink->write(batch, report);
    CHECK(offsets(report.delivered_lineages) == std::vector<std::int64_t>{5, 6, 7});
    CHECK(sink->pending() == 0);
  }

  TEST_CASE("with batch_size, messages are held until a batch is full") {
    devnull_sink sink({2, 0us, 0us, 0us});
    recording_report report;
    auto first = batch_of({"a", "b", "c"}, 0);
    sink.write(first, report);
    CHECK(offsets(report.delivered_lineages) == std::vector<std::int64_t>{0, 1});
    CHECK(sink.pending() == 1);
    sink.flush(report);
    CHECK(offsets(report.delivered_lineages) == std::vector<std::int64_t>{0, 1, 2});
    CHECK(sink.pending() == 0);
  }

  TEST_CASE("with batch_time, a partial batch is delivered by poll once the time has passed") {
    devnull_sink sink({1000, 20ms, 0us, 0us});
    recording_report report;
    auto batch = batch_of({"a"}, 0);
    sink.write(batch, report);
    sink.poll(report);
    CHECK(report.delivered_lineages.empty());
    std::this_thread::sleep_for(30ms);
    sink.poll(report);
    CHECK(report.delivered_lineages.size() == 1);
  }

  TEST_CASE("a simulated flush takes time, never more than max_sleep") {
    // Draws are uniform in [0, 200 ms] and capped at 5 ms: almost every flush sleeps the whole
    // 5 ms. Uncapped, 20 flushes would sleep ~2 s (below 0.5 s with odds under 1e-8); without
    // sleeping they would take far less than 50 ms.
    constexpr int flushes = 20;
    devnull_sink sink({1, 0us, 100ms, 5ms});
    recording_report report;
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < flushes; ++i) {
      auto batch = batch_of({"x"}, i);
      sink.write(batch, report);
    }
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(report.delivered_lineages.size() == flushes);
    INFO("20 flushes took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                            << " ms");
    CHECK(took < 500ms); // the cap holds (20 x 5 ms, and room for a loaded machine)
    CHECK(took >= 50ms); // the sleeps happen (fewer than 10 draws under 5 ms: odds ~1e-11)
  }
}
