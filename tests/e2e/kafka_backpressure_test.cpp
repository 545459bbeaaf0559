// Backpressure with the real Kafka source and sink (docs/concepts.md, "Credit"): when the
// sink's broker stops answering (SIGSTOP of a `streams kafka-mock` process), the sink holds at
// most `sink_backlog` unconfirmed messages and stops granting credit, and the Kafka source, out
// of credit, takes no more. The process's memory and the messages in flight stay bounded while
// 12 MB of input wait; once the broker goes on, everything is delivered. (librdkafka's own
// prefetch is kept small here, so it does not hide what the runtime holds.) A sink that granted
// credit whatever its backlog takes the whole input into its producer's queue here
// (tools/mutate.sh: sink-backlog-ignored-kafka).

#include "e2e_support.hpp"

#include "kafka/kafka_test_support.hpp"
#include "streams/kafka/kafka_sink.hpp"
#include "streams/kafka/kafka_source.hpp"
#include "support/kafka_mock.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <thread>

using namespace streams;
using namespace streams::e2e;

namespace {

/// This process's resident set size in bytes (VmRSS of /proc/self/status).
std::size_t resident_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stoull(line.substr(6)) * 1024;
  return 0;
}

/// Waits until `count` has not changed for `quiet` (or `limit` passed); its value then.
std::size_t settled(const counter& count, std::chrono::milliseconds quiet,
                    std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  auto last = count->load();
  auto since = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(50ms);
    auto now = count->load();
    if (now != last) {
      last = now;
      since = std::chrono::steady_clock::now();
    } else if (std::chrono::steady_clock::now() - since >= quiet) {
      break;
    }
  }
  return last;
}

} // namespace

TEST_SUITE("e2e.kafka_backpressure") {
  TEST_CASE("a Kafka sink whose broker hangs holds memory and messages in flight bounded") {
    constexpr int partitions = 8, total = 12'000;
    const std::string padding(1000, 'x'); // ~1 KB values: 12 MB of input, 1.5 MB a partition
    kafka::embedded_broker in_broker(1, {{"in", partitions}});
    test::kafka_mock out_broker({"out:" + std::to_string(partitions)});
    kafka::test::produce_with_python(in_broker.bootstrap_servers(), "in", total, padding, 64);

    auto taken = make_counter();
    auto p = std::make_unique<pipeline>("kafka-backpressure");
    auto source = source_config_for(in_broker, "in", "kafka-backpressure");
    // librdkafka's prefetch kept small, so that what the process holds is the runtime's doing
    source.override_params["queued.max.messages.kbytes"] = "256";
    source.override_params["max.partition.fetch.bytes"] = "65536";
    kafka::sink_config sink;
    sink.bootstrap_servers = out_broker.bootstrap();
    sink.topic = "out";
    p->source("in", sources::kafka(source))
        .map("count",
             [taken](const bytes& b) {
               ++*taken;
               return b;
             })
        .sink("out", sinks::kafka(sink));
    auto options = test_options();
    options.sink_backlog = 1000;
    options.credit = 256;
    options.max_batch = 64;
    // Bound on what passes the map while the sink is stuck: the backlog, plus what the edges
    // and actors can hold (credit and a batch per edge, a few times over).
    const std::size_t bound = options.sink_backlog + 4 * (options.credit + options.max_batch);

    out_broker.pause(); // nothing is acknowledged until it goes on
    running_pipeline run(std::move(p), options);
    REQUIRE(test::eventually([&] { return *taken >= 100; }, 30s));
    auto rss_before = resident_bytes();
    auto first = settled(taken, 1500ms, 30s);
    auto rss_after = resident_bytes();
    INFO("taken while the broker hung: " << first << "; RSS " << rss_before / 1024 << " kB -> "
                                         << rss_after / 1024 << " kB");
    CHECK(first <= bound);
    CHECK(rss_after < rss_before + 8 * 1024 * 1024); // well below the 12 MB waiting upstream

    out_broker.resume();
    REQUIRE(test::eventually([&] { return *taken >= static_cast<std::size_t>(total); }, 60s));
    auto result = run.stop();
    INFO(test::failure_text(result));
    REQUIRE(result.ok);
    // the source's most offsets handed out and not yet done, over the whole run
    CHECK(result.find("in")->max_in_flight <= bound);
    auto out = read_topic(out_broker.bootstrap(), "out");
    std::set<int> ids;
    for (auto& r : out)
      ids.insert(id_of(r.value));
    CHECK(ids.size() == static_cast<std::size_t>(total));
  }
}
