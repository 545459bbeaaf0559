// Kafka → map → Kafka with independent clients at both ends: what confluent-kafka and kcat
// write comes out transformed, with keys, headers, timestamps and per-key order intact.

#include "e2e_support.hpp"

#include "kafka/kafka_test_support.hpp"
#include "streams/kafka/kafka_sink.hpp"
#include "streams/kafka/kafka_source.hpp"
#include "support/run_process.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

using namespace streams;
using namespace streams::e2e;

namespace {

std::string shout(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return "<" + s + ">";
}

} // namespace

TEST_SUITE("e2e.round_trip") {
  TEST_CASE(
      "independent producers' messages come out transformed, keys, headers and order intact") {
    kafka::embedded_broker broker(1, {{"in", 3}, {"out", 3}});
    auto boot = broker.bootstrap_servers();
    // confluent-kafka: keys k0..k6, headers h=<i>, dup=a, dup=b.
    kafka::test::produce_with_python(boot, "in", 300, "py", 7);
    // kcat: keyed messages with repeated headers, then messages without a key.
    auto keyed = test::run_process({"kcat", "-b", boot, "-t", "in", "-P", "-K", ":", "-H", "x=1",
                                    "-H", "tag=kcat", "-H", "x=2"},
                                   "ka:kcat-0\nkb:kcat-1\nka:kcat-2\nkc:kcat-3\nka:kcat-4\n");
    INFO("kcat stderr: " << keyed.err);
    REQUIRE(keyed.exit_code == 0);
    auto keyless =
        test::run_process({"kcat", "-b", boot, "-t", "in", "-P"}, "free-0\nfree-1\nfree-2\n");
    REQUIRE(keyless.exit_code == 0);
    const std::size_t total = 308;

    auto seen = make_counter();
    auto p = std::make_unique<pipeline>("round-trip");
    p->source("in", sources::kafka(source_config_for(broker, "in", "round-trip")))
        .map("shout",
             [seen](const bytes& b) {
               ++*seen;
               return shout(b);
             })
        .sink("out", sinks::kafka(sink_config_for(broker, "out")));
    running_pipeline run(std::move(p));
    REQUIRE(test::eventually([&] { return *seen >= total; }, 60s));
    auto result = run.stop();
    INFO(test::failure_text(result));
    REQUIRE(result.ok);

    auto in = read_topic(boot, "in");
    auto out = read_topic(boot, "out");
    REQUIRE(in.size() == total);
    REQUIRE(out.size() == total);

    std::map<std::string, record> input_by_output_value;
    for (auto& r : in)
      input_by_output_value[shout(r.value)] = r;
    REQUIRE(input_by_output_value.size() == total);

    std::map<std::string, std::set<std::int32_t>> partitions_of_key;
    std::map<std::string, std::vector<std::string>> out_by_key; // in offset order
    std::set<std::string> outputs;
    for (auto& o : out) {
      auto it = input_by_output_value.find(o.value);
      REQUIRE_MESSAGE(it != input_by_output_value.end(), "unexpected output " << o.value);
      auto& i = it->second;
      outputs.insert(o.value);
      CHECK(o.key == i.key);
      CHECK(o.hdrs == i.hdrs);
      CHECK(o.timestamp == i.timestamp);
      if (o.key) {
        partitions_of_key[*o.key].insert(o.partition);
        // Both ends use librdkafka's default partitioner (CRC32 of the key) over 3 partitions.
        CHECK(o.partition == i.partition);
        out_by_key[*o.key].push_back(o.value);
      }
    }
    CHECK(outputs.size() == total); // each exactly once

    // Headers as written, duplicates and their order included.
    auto& py = input_by_output_value.at(shout("py-42"));
    CHECK(py.hdrs == headers{{"h", "42"}, {"dup", "a"}, {"dup", "b"}});
    auto& kc = input_by_output_value.at(shout("kcat-3"));
    CHECK(kc.key == std::optional<std::string>("kc"));
    CHECK(kc.hdrs == headers{{"x", "1"}, {"tag", "kcat"}, {"x", "2"}});
    CHECK_FALSE(input_by_output_value.at(shout("free-1")).key);

    // One partition per key, and each key's messages in the order they were produced.
    CHECK(partitions_of_key.size() == 7 + 3);
    for (auto& [key, parts] : partitions_of_key)
      CHECK_MESSAGE(parts.size() == 1, "key " << key);
    for (auto& [key, values] : out_by_key) {
      std::vector<std::string> expected;
      for (auto& r : in)
        if (r.key == key)
          expected.push_back(shout(r.value));
      CHECK_MESSAGE(values == expected, "key " << key);
    }
    CHECK(out_by_key.at("ka") == std::vector<std::string>{"<KCAT-0>", "<KCAT-2>", "<KCAT-4>"});

    // Everything was committed at the clean stop.
    CHECK(committed_offsets(boot, "in", "round-trip") == end_offsets(boot, "in"));
  }
}
