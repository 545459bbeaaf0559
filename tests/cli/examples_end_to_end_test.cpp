// Every example app, run by `streams run` with the config shipped beside it, against the
// embedded broker in a process of its own (`streams kafka-mock`). Independent clients write its
// input (kcat) and read its output (kcat) and its consumer group's commits (confluent-kafka).
// Each run ends with SIGTERM, which must drain the pipeline: exit code 0, every output written,
// every input committed.

#include "cli/cli_test_support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <thread>

using namespace streams::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

/// Seconds since the epoch, as Sentry's ingest metrics carry them.
long long now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// A Sentry ingest metric.
json metric(int i, const std::string& type, long long timestamp) {
  return {{"org_id", 1},
          {"project_id", 100 + i % 3},
          {"name", "metric-" + std::to_string(i)},
          {"type", type},
          {"value", i},
          {"timestamp", timestamp},
          {"tags", {{"env", "test"}}},
          {"retention_days", 90}};
}

std::vector<std::string> dump_all(const std::vector<json>& docs) {
  std::vector<std::string> out;
  for (auto& d : docs)
    out.push_back(d.dump());
  return out;
}

/// Each value parsed and dumped again (keys sorted), sorted: comparable with `dump_all`.
std::vector<std::string> normalized(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (auto& v : values) {
    auto doc = json::parse(v, nullptr, false);
    out.push_back(doc.is_discarded() ? "not JSON: " + v : doc.dump());
  }
  return sorted(out);
}

/// `streams run --config apps/examples/configs/APP.yaml APP` against `broker`.
class example_run {
public:
  example_run(const std::string& app, const kafka_mock& broker)
      : process_({streams_bin, "run", "--config", example_configs + "/" + app + ".yaml", app},
                 dir_.path(), {{"STREAMS_BOOTSTRAP_SERVERS", broker.bootstrap()}}) {}

  /// SIGTERM; the exit code.
  int stop() { return streams::test::stop(process_, SIGTERM); }
  bool running() { return process_.running(); }
  std::string err() const { return process_.err(); }

private:
  temp_directory dir_;
  child_process process_;
};

} // namespace

TEST_SUITE("cli.examples") {
  TEST_CASE("simple_map_filter keeps the counters and marks them transformed") {
    kafka_mock broker({"ingest-metrics:4", "transformed-events:4"});
    const char* types[] = {"c", "d", "s", "g"};
    std::vector<json> before, after, expected;
    for (int i = 0; i < 60; ++i) {
      auto m = metric(i, types[i % 4], now_seconds());
      (i < 30 ? before : after).push_back(m);
      if (m["type"] == "c") {
        m["transformed"] = true;
        expected.push_back(m);
      }
    }
    // half of the input waits for the pipeline, half arrives while it runs
    produce(broker.bootstrap(), "ingest-metrics", dump_all(before));
    example_run run("simple_map_filter", broker);
    auto first = read_topic_until(broker.bootstrap(), "transformed-events", 8, 30s);
    INFO("streams stderr: " << run.err());
    REQUIRE(first.size() == 8);
    produce(broker.bootstrap(), "ingest-metrics", dump_all(after));
    read_topic_until(broker.bootstrap(), "transformed-events", expected.size(), 30s);

    CHECK(run.stop() == 0);
    CHECK(normalized(read_topic(broker.bootstrap(), "transformed-events"))
          == sorted(dump_all(expected)));
    CHECK(committed_to_end(
        group_progress(broker.bootstrap(), "simple_map_filter.myinput", "ingest-metrics")));
  }

  TEST_CASE("blq sends old metrics to the backlog topic and broadcasts recent ones") {
    kafka_mock broker({"ingest-metrics:4", "transformed-events:4", "transformed-events-2:4",
                       "transformed-events-3:4"});
    std::vector<json> input, recent, delayed;
    for (int i = 0; i < 40; ++i) {
      bool old = i % 3 == 0;
      auto m = metric(i, "c", now_seconds() - (old ? 3600 : 5));
      input.push_back(m);
      (old ? delayed : recent).push_back(m);
    }
    produce(broker.bootstrap(), "ingest-metrics", dump_all(input));
    example_run run("blq", broker);
    INFO("streams stderr: " << run.err());
    auto b = broker.bootstrap();
    CHECK(read_topic_until(b, "transformed-events-3", delayed.size(), 30s).size()
          == delayed.size());
    CHECK(read_topic_until(b, "transformed-events", recent.size(), 30s).size() == recent.size());
    CHECK(read_topic_until(b, "transformed-events-2", recent.size(), 30s).size() == recent.size());

    CHECK(run.stop() == 0);
    CHECK(normalized(read_topic(b, "transformed-events-3")) == sorted(dump_all(delayed)));
    CHECK(normalized(read_topic(b, "transformed-events")) == sorted(dump_all(recent)));
    CHECK(normalized(read_topic(b, "transformed-events-2")) == sorted(dump_all(recent)));
    CHECK(committed_to_end(group_progress(b, "blq.ingest", "ingest-metrics")));
  }

  TEST_CASE("broadcast greets every name on one topic and bids it farewell on another") {
    kafka_mock broker({"events:4", "transformed-events:4", "transformed-events-2:4"});
    std::vector<std::string> input, hello, goodbye;
    for (int i = 0; i < 30; ++i) {
      auto name = "user" + std::to_string(i);
      input.push_back(json{{"name", name}}.dump());
      hello.push_back("Hello, " + name + "!");
      goodbye.push_back("Goodbye, " + name + ".");
    }
    produce(broker.bootstrap(), "events", input);
    example_run run("broadcast", broker);
    INFO("streams stderr: " << run.err());
    auto b = broker.bootstrap();
    CHECK(read_topic_until(b, "transformed-events", hello.size(), 30s).size() == hello.size());
    CHECK(read_topic_until(b, "transformed-events-2", goodbye.size(), 30s).size()
          == goodbye.size());

    CHECK(run.stop() == 0);
    CHECK(sorted(read_topic(b, "transformed-events")) == sorted(hello));
    CHECK(sorted(read_topic(b, "transformed-events-2")) == sorted(goodbye));
    CHECK(committed_to_end(group_progress(b, "broadcast.myinput", "events")));
  }

  TEST_CASE("simple_batching writes arrays of three, and SIGTERM flushes the last partial one") {
    kafka_mock broker({"ingest-metrics:4", "transformed-events:4"});
    std::vector<json> input;
    for (int i = 0; i < 10; ++i)
      input.push_back(metric(i, "c", now_seconds()));
    produce(broker.bootstrap(), "ingest-metrics", dump_all(input));
    example_run run("simple_batching", broker);
    INFO("streams stderr: " << run.err());
    auto b = broker.bootstrap();
    auto full = read_topic_until(b, "transformed-events", 3, 30s);
    REQUIRE(full.size() == 3);
    // the tenth metric waits for two more or for 100 s; it is not written while the pipeline runs
    std::this_thread::sleep_for(2s);
    CHECK(read_topic(b, "transformed-events").size() == 3);

    CHECK(run.stop() == 0);
    auto batches = read_topic(b, "transformed-events");
    REQUIRE(batches.size() == 4);
    std::vector<std::string> elements;
    std::vector<std::size_t> sizes;
    for (auto& text : batches) {
      auto batch = json::parse(text, nullptr, false);
      REQUIRE(batch.is_array());
      sizes.push_back(batch.size());
      for (auto& m : batch)
        elements.push_back(m.dump());
    }
    std::sort(sizes.begin(), sizes.end());
    CHECK(sizes == std::vector<std::size_t>{1, 3, 3, 3});
    CHECK(sorted(elements) == sorted(dump_all(input)));
    CHECK(committed_to_end(group_progress(b, "simple_batching.myinput", "ingest-metrics")));
  }

  TEST_CASE("devnull_benchmark consumes its topic and commits to the end") {
    kafka_mock broker({"ingest-metrics:4"});
    std::vector<json> input;
    for (int i = 0; i < 2000; ++i)
      input.push_back(metric(i, "c", now_seconds()));
    produce(broker.bootstrap(), "ingest-metrics", dump_all(input));
    example_run run("devnull_benchmark", broker);
    INFO("streams stderr: " << run.err());
    auto b = broker.bootstrap();
    const std::string group = "devnull_benchmark.benchmark_source";
    // four simulated flushes of 500, each sleeping up to 100 ms, then the cadence commit
    CHECK(eventually([&] { return committed_to_end(group_progress(b, group, "ingest-metrics")); },
                     30s));
    CHECK(run.running());

    CHECK(run.stop() == 0);
    auto progress = group_progress(b, group, "ingest-metrics");
    CHECK(committed_to_end(progress));
    long long total = 0;
    for (auto& p : progress)
      total += p.end;
    CHECK(total == 2000);
  }
}
