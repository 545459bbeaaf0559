// Per-partition order under `parallelism`, through the real Kafka source and sink: each input
// partition's messages take one instance of a parallel step, so each output partition holds
// exactly its input partition's messages in the same order (keys map to the same partition at
// both ends: librdkafka's CRC32 partitioner, the same partition count). A runtime routing a
// partition's messages over several instances reorders them here (tools/mutate.sh:
// outbox-spreads-partitions).

#include "e2e_support.hpp"

#include "kafka/kafka_test_support.hpp"
#include "streams/kafka/kafka_sink.hpp"
#include "streams/kafka/kafka_source.hpp"

#include <doctest/doctest.h>

#include <thread>

using namespace streams;
using namespace streams::e2e;

TEST_SUITE("e2e.parallel_order") {
  TEST_CASE(
      "with a step at parallelism 3, every output partition is its input partition, in order") {
    constexpr int partitions = 4, total = 4000;
    kafka::embedded_broker broker(1, {{"in", partitions}, {"out", partitions}});
    auto boot = broker.bootstrap_servers();
    kafka::test::produce_with_python(boot, "in", total, "m", 16);

    auto seen = make_counter();
    auto p = std::make_unique<pipeline>("parallel-order");
    p->source("in", sources::kafka(source_config_for(broker, "in", "parallel-order")))
        .map("uneven",
             [seen](const bytes& b) {
               // Some messages take far longer than others, so that instances overtake each
               // other: only the routing keeps a partition's messages in order.
               if (id_of(b) % 5 == 0)
                 std::this_thread::sleep_for(std::chrono::microseconds(300));
               ++*seen;
               return b;
             })
        .sink("out", sinks::kafka(sink_config_for(broker, "out")));
    p->graph().step(*p->graph().find("uneven")).parallelism = 3;
    auto options = test_options();
    options.max_batch = 8;
    options.credit = 32;
    running_pipeline run(std::move(p), options);
    REQUIRE(test::eventually([&] { return *seen >= static_cast<std::size_t>(total); }, 60s));
    auto result = run.stop();
    INFO(test::failure_text(result));
    REQUIRE(result.ok);
    CHECK(result.find("uneven")->instances == 3);

    std::map<std::int32_t, std::vector<std::string>> in, out; // values in offset order
    for (auto& r : read_topic(boot, "in"))
      in[r.partition].push_back(r.value);
    for (auto& r : read_topic(boot, "out"))
      out[r.partition].push_back(r.value);
    REQUIRE(in.size() == static_cast<std::size_t>(partitions)); // 16 keys cover every partition
    for (auto& [partition, values] : in) {
      CAPTURE(partition);
      auto& got = out[partition];
      REQUIRE(got.size() == values.size());
      std::size_t first_wrong = 0;
      while (first_wrong < got.size() && got[first_wrong] == values[first_wrong])
        ++first_wrong;
      INFO("first difference at " << first_wrong << " of " << got.size());
      CHECK(first_wrong == got.size());
    }
  }
}
