#include "streams/kafka/kafka_sink.hpp"

#include "kafka_test_support.hpp"
#include "streams/kafka/embedded_broker.hpp"
#include "streams/kafka/kafka_error.hpp"

#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

using namespace streams;
using namespace streams::kafka;
using namespace streams::kafka::test;

namespace {

sink_config config_for(const embedded_broker& broker, const std::string& topic) {
  sink_config c;
  c.bootstrap_servers = broker.bootstrap_servers();
  c.topic = topic;
  return c;
}

// Message i: payload "v<i>", key "key<i % 5>" (none for every 10th), headers n=<i>, a=x.
std::vector<message> make_batch(int from, int to) {
  std::vector<message> batch;
  for (int i = from; i < to; ++i) {
    message m(bytes("v" + std::to_string(i)));
    if (i % 10 != 0)
      m.set_key("key" + std::to_string(i % 5));
    m.add_header("n", std::to_string(i));
    m.add_header("a", "x");
    m.set_timestamp(1700000000000 + i);
    m.set_lineage(lineage(origin{0, 0, i, origin::full_weight}));
    batch.push_back(std::move(m));
  }
  return batch;
}

std::set<std::int64_t> offsets_in(const std::vector<lineage>& lineages) {
  std::set<std::int64_t> out;
  for (auto& l : lineages)
    out.insert(l.origins().front().offset);
  return out;
}

std::set<std::int64_t> range_set(std::int64_t from, std::int64_t to) {
  std::set<std::int64_t> out;
  for (auto i = from; i < to; ++i)
    out.insert(i);
  return out;
}

struct record {
  int partition;
  std::string key; // "-" when none
  std::string value;
  std::string headers;
  long long timestamp;
};

// Reads `count` records of `topic` with kafka-python (no librdkafka involved).
std::vector<record> read_back(const embedded_broker& broker, const std::string& topic, int count) {
  auto r = run_python(R"(
import sys
from kafka import KafkaConsumer
c = KafkaConsumer(sys.argv[2], bootstrap_servers=sys.argv[1], auto_offset_reset='earliest',
                  consumer_timeout_ms=10000, api_version=(2, 5, 0))
n = int(sys.argv[3])
for i, m in enumerate(c):
    key = m.key.decode() if m.key is not None else '-'
    headers = ','.join('%s=%s' % (k, v.decode()) for k, v in m.headers)
    print(m.partition, key, m.value.decode(), headers or '-', m.timestamp)
    if i + 1 == n:
        break
)",
                      {broker.bootstrap_servers(), topic, std::to_string(count)}, 60s);
  INFO("kafka-python stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  std::vector<record> out;
  std::istringstream in(r.out);
  record rec;
  while (in >> rec.partition >> rec.key >> rec.value >> rec.headers >> rec.timestamp)
    out.push_back(rec);
  return out;
}

void flush_or_fail(kafka_sink& sink, recording_report& report) {
  sink.flush(report);
  CHECK(sink.pending() == 0);
}

} // namespace

TEST_SUITE("kafka.kafka_sink") {
  TEST_CASE("an independent consumer reads what it produced, and reports deliver every lineage") {
    embedded_broker broker(1, {{"out", 3}});
    kafka_sink sink(config_for(broker, "out"));
    recording_report report;
    auto batch = make_batch(0, 200);
    sink.write(batch, report);
    CHECK(sink.pending() + report.delivered_lineages.size() == 200);
    flush_or_fail(sink, report);
    CHECK(report.failed_lineages.empty());
    CHECK(offsets_in(report.delivered_lineages) == range_set(0, 200));
    CHECK(report.delivered_lineages.size() == 200);

    auto records = read_back(broker, "out", 200);
    REQUIRE(records.size() == 200);
    std::map<std::string, std::set<int>> partitions_of_key;
    std::set<std::string> values;
    for (auto& r : records) {
      auto i = std::stoi(r.value.substr(1));
      values.insert(r.value);
      CHECK(r.key == (i % 10 != 0 ? "key" + std::to_string(i % 5) : "-"));
      CHECK(r.headers == "n=" + std::to_string(i) + ",a=x");
      CHECK(r.timestamp == 1700000000000 + i);
      if (r.key != "-")
        partitions_of_key[r.key].insert(r.partition);
    }
    CHECK(values.size() == 200);
    // Partitioned by key: every key always lands in the same partition.
    CHECK(partitions_of_key.size() == 5);
    for (auto& [key, partitions] : partitions_of_key)
      CHECK_MESSAGE(partitions.size() == 1, "key " << key);
  }

  TEST_CASE("reports arrive through poll") {
    embedded_broker broker(1, {{"out", 1}});
    kafka_sink sink(config_for(broker, "out"));
    recording_report report;
    auto batch = make_batch(0, 10);
    sink.write(batch, report);
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (sink.pending() > 0 && std::chrono::steady_clock::now() < deadline) {
      sink.poll(report);
      std::this_thread::sleep_for(1ms);
    }
    CHECK(sink.pending() == 0);
    CHECK(offsets_in(report.delivered_lineages) == range_set(0, 10));
  }

  TEST_CASE("the waker calls when reports arrive: polling only when woken delivers everything") {
    embedded_broker broker(1, {{"out", 2}});
    kafka_sink sink(config_for(broker, "out"));
    wake_counter wakes;
    REQUIRE(sink.set_waker(wakes.make()));
    recording_report report;
    auto batch = make_batch(0, 50);
    sink.write(batch, report);
    std::size_t seen = 0;
    while (sink.pending() > 0) {
      // Reports go to librdkafka's queue, which wakes us when it stops being empty.
      REQUIRE_MESSAGE(wakes.wait_beyond(seen, 10s), sink.pending() << " reports never woke us");
      seen = wakes.count();
      sink.poll(report);
    }
    CHECK(offsets_in(report.delivered_lineages) == range_set(0, 50));
    CHECK(report.failed_lineages.empty());
  }

  TEST_CASE("a full local queue makes write wait, never drop") {
    embedded_broker broker(1, {{"out", 2}});
    auto config = config_for(broker, "out");
    config.override_params["queue.buffering.max.messages"] = "10";
    kafka_sink sink(config);
    recording_report report;
    auto batch = make_batch(0, 500);
    sink.write(batch, report);
    CHECK(sink.pending() <= 10);
    flush_or_fail(sink, report);
    CHECK(report.failed_lineages.empty());
    CHECK(offsets_in(report.delivered_lineages) == range_set(0, 500));
  }

  TEST_CASE("a message the producer refuses fails with the topic in the reason") {
    embedded_broker broker(1, {{"out", 1}});
    auto config = config_for(broker, "out");
    config.override_params["message.max.bytes"] = "1000";
    kafka_sink sink(config);
    recording_report report;
    std::vector<message> batch;
    batch.emplace_back(bytes(5000, 'x'));
    batch.back().set_lineage(lineage(origin{0, 0, 7, origin::full_weight}));
    batch.emplace_back(42); // not bytes
    batch.back().set_lineage(lineage(origin{0, 0, 8, origin::full_weight}));
    sink.write(batch, report);
    flush_or_fail(sink, report);
    REQUIRE(report.failed_lineages.size() == 2);
    CHECK(offsets_in(report.failed_lineages) == std::set<std::int64_t>{7, 8});
    for (auto& reason : report.reasons)
      CHECK(reason.find("topic out") != std::string::npos);
  }

  TEST_CASE("a delivery that times out is a failure naming topic and partition") {
    embedded_broker broker(1, {{"out", 1}});
    broker.set_down();
    auto config = config_for(broker, "out");
    config.override_params["message.timeout.ms"] = "1500";
    kafka_sink sink(config);
    recording_report report;
    auto batch = make_batch(0, 3);
    sink.write(batch, report);
    flush_or_fail(sink, report);
    CHECK(report.delivered_lineages.empty());
    CHECK(offsets_in(report.failed_lineages) == range_set(0, 3));
    REQUIRE_FALSE(report.reasons.empty());
    INFO(report.reasons.front());
    CHECK(report.reasons.front().find("topic out partition") != std::string::npos);
    CHECK(report.reasons.front().find("timed out") != std::string::npos);
  }

  TEST_CASE("flush gives up after its timeout and reports what is left as failed") {
    embedded_broker broker(1, {{"out", 1}});
    broker.set_down();
    auto config = config_for(broker, "out");
    config.flush_timeout = 500ms;
    kafka_sink sink(config);
    recording_report report;
    auto batch = make_batch(0, 5);
    sink.write(batch, report);
    auto start = std::chrono::steady_clock::now();
    flush_or_fail(sink, report);
    CHECK(std::chrono::steady_clock::now() - start < 8s);
    CHECK(offsets_in(report.failed_lineages) == range_set(0, 5));
    for (auto& reason : report.reasons)
      CHECK(reason.find("flush timeout") != std::string::npos);
  }

  TEST_CASE("messages written while the broker is down are delivered once it is back") {
    embedded_broker broker(1, {{"out", 2}});
    broker.set_down();
    kafka_sink sink(config_for(broker, "out"));
    recording_report report;
    auto batch = make_batch(0, 50);
    sink.write(batch, report);
    auto deadline = std::chrono::steady_clock::now() + 1500ms;
    while (std::chrono::steady_clock::now() < deadline) {
      sink.poll(report);
      std::this_thread::sleep_for(5ms);
    }
    CHECK(sink.pending() == 50);
    broker.set_up();
    flush_or_fail(sink, report);
    CHECK(report.failed_lineages.empty());
    CHECK(offsets_in(report.delivered_lineages) == range_set(0, 50));
    CHECK(read_back(broker, "out", 50).size() == 50);
  }

  TEST_CASE("brokers that never answer: once it has messages, the sink stops as unreachable "
            "after connect_timeout") {
    sink_config c;
    c.bootstrap_servers = "127.0.0.1:1"; // nothing listens there: connections are refused
    c.topic = "out";
    c.connect_timeout = 1500ms;
    kafka_sink sink(c);
    recording_report report;
    // Nothing to deliver: past connect_timeout it still waits.
    auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < 2s) {
      CHECK_NOTHROW(sink.poll(report));
      std::this_thread::sleep_for(10ms);
    }
    auto batch = make_batch(0, 5);
    std::optional<kafka_error> failure;
    try {
      sink.write(batch, report);
      while (std::chrono::steady_clock::now() - start < 30s) {
        sink.poll(report);
        std::this_thread::sleep_for(10ms);
      }
    } catch (const kafka_error& e) {
      failure = e;
    }
    REQUIRE(failure);
    CHECK(failure->code() == kafka::errc::unreachable);
    CHECK(std::string(failure->what()).find("no broker of 127.0.0.1:1 has answered")
          != std::string::npos);
    CHECK(report.delivered_lineages.empty());
    CHECK(sink.pending() == 5); // not reported delivered: their offsets stay uncommitted
  }

  TEST_CASE("destroyed with messages outstanding: abandons them without crashing") {
    embedded_broker broker(1, {{"out", 1}});
    broker.set_down();
    recording_report report;
    {
      kafka_sink sink(config_for(broker, "out"));
      auto batch = make_batch(0, 5);
      sink.write(batch, report);
      CHECK(sink.pending() == 5);
    }
    CHECK(report.delivered_lineages.empty());
    CHECK(report.failed_lineages.empty()); // only the report passed to a call hears of messages
  }

  TEST_CASE("rejects bad configurations, and the spec helper makes a kafka_sink") {
    embedded_broker broker(1, {{"out", 1}});
    auto config = config_for(broker, "out");
    config.override_params["linger.ms"] = "not a number";
    CHECK_THROWS_AS(kafka_sink{config}, kafka_error);
    config = config_for(broker, "");
    CHECK_THROWS_AS(kafka_sink{config}, kafka_error);

    auto spec = sinks::kafka(config_for(broker, "out"));
    CHECK(spec.stream_name == "out");
    CHECK(spec.connector == "kafka"); // so that a config is checked against a Kafka sink's keys
    auto made = spec.make();
    CHECK(dynamic_cast<kafka_sink*>(made.get()) != nullptr);
  }
}
