// What a running `streams` process shows its operators (docs/operations.md), seen from outside
// as an operator's tools see it: /metrics scraped over HTTP, DogStatsD datagrams on a UDP
// socket of the test's own, the log backend's lines, /health and /ready, and the health file.
// The relay app runs as a `streams run` process against the embedded broker of this process
// (which the test can take down and bring back).

#include "e2e_support.hpp"

#include "kafka/kafka_test_support.hpp"
#include "support/http_client.hpp"
#include "support/udp_receiver.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

using namespace streams;
using namespace streams::e2e;

namespace {

/// The value of the sample `name` labelled step="`step`" in Prometheus' text format; -1 when
/// there is none.
double scraped(const std::string& text, const std::string& name, const std::string& step) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(name + "{", 0) == 0 && line.find("step=\"" + step + "\"") != std::string::npos)
      return std::stod(line.substr(line.rfind(' ') + 1));
  return -1;
}

/// The bytes of the values produce_with_python writes: "m-0" ... "m-<count - 1>".
double value_bytes(int from, int count) {
  double n = 0;
  for (int i = from; i < from + count; ++i)
    n += static_cast<double>(("m-" + std::to_string(i)).size());
  return n;
}

/// The file's modification time in nanoseconds, 0 when it does not exist.
long long modified_ns(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return 0;
  return static_cast<long long>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

int stop_process(test::child_process& p) {
  p.signal(SIGTERM);
  auto code = p.wait(60s);
  REQUIRE(code.has_value());
  return *code;
}

std::string address(std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

/// Asks for `path` until it answers `status` or `limit` passes; the last answer.
test::http_reply wait_for_status(std::uint16_t port, const std::string& path, int status,
                                 std::chrono::milliseconds limit) {
  test::http_reply r;
  test::eventually(
      [&] {
        r = test::http_get(port, path);
        return r.status == status;
      },
      limit);
  return r;
}

} // namespace

TEST_SUITE("e2e.operations") {
  TEST_CASE("prometheus: /metrics counts every step's messages while the pipeline runs") {
    kafka::embedded_broker broker(1, {{"e2e-in", 2}, {"e2e-out", 2}});
    auto boot = broker.bootstrap_servers();
    test::temp_directory dir;
    auto port = test::free_port();
    write_relay_config(dir.file("config.yaml"), "metrics-group", "",
                       "{type: prometheus, host: 127.0.0.1, port: " + std::to_string(port)
                           + ", tags: {deployment: test}}");
    kafka::test::produce_with_python(boot, "e2e-in", 300);
    relay_process relay(dir, boot, dir.file("config.yaml"), "a");

    std::string text;
    auto delivered = [&] {
      text = test::http_get(port, "/metrics").body;
      return scraped(text, "streams_pipeline_output_messages", "output");
    };
    REQUIRE_MESSAGE(test::eventually([&] { return delivered() == 300; }, 30s),
                    text << relay.process().err());
    CHECK(scraped(text, "streams_pipeline_output_messages", "input") == 300);
    CHECK(scraped(text, "streams_pipeline_output_bytes", "input") == value_bytes(0, 300));
    CHECK(scraped(text, "streams_pipeline_input_messages", "relay") == 300);
    CHECK(scraped(text, "streams_pipeline_input_bytes", "relay") == value_bytes(0, 300));
    CHECK(scraped(text, "streams_pipeline_output_messages", "relay") == 300);
    // "|a" appended to each value
    CHECK(scraped(text, "streams_pipeline_output_bytes", "relay") == value_bytes(0, 300) + 600);
    CHECK(scraped(text, "streams_pipeline_input_messages", "output") == 300);
    CHECK(scraped(text, "streams_pipeline_errors", "relay") == 0);
    CHECK(scraped(text, "streams_pipeline_duration_count", "relay") > 0);
    CHECK(scraped(text, "streams_pipeline_consumer_latency_count", "output") > 0);
    CHECK(text.find("deployment=\"test\"") != std::string::npos);
    CHECK(text.find("# TYPE streams_pipeline_duration histogram") != std::string::npos);

    // Live: more input shows up in the counts while the process goes on.
    kafka::test::produce_with_python(boot, "e2e-in", 200, "n");
    REQUIRE_MESSAGE(test::eventually([&] { return delivered() == 500; }, 30s), text);
    CHECK(scraped(text, "streams_pipeline_input_messages", "relay") == 500);
    // The committed offsets per partition reach the end of the input once committed.
    REQUIRE(test::eventually(
        [&] {
          text = test::http_get(port, "/metrics").body;
          double sum = 0;
          std::istringstream lines(text);
          for (std::string line; std::getline(lines, line);)
            if (line.rfind("streams_pipeline_consumer_committed_offset{", 0) == 0)
              sum += std::stod(line.substr(line.rfind(' ') + 1));
          return sum == 500;
        },
        30s));
    // Each commit's answer from the broker, timed (the last commit's comes a little after
    // the offsets it moved show); every step's restarts, none here.
    CHECK(test::eventually(
        [&] {
          text = test::http_get(port, "/metrics").body;
          return scraped(text, "streams_pipeline_consumer_commit_latency_count", "input") > 0;
        },
        10s));
    CHECK(scraped(text, "streams_pipeline_consumer_commit_latency_sum", "input") < 30);
    for (auto step : {"input", "relay", "output"})
      CHECK(scraped(text, "streams_pipeline_restarts", step) == 0);

    auto health = test::http_get(port, "/health");
    CHECK(health.status == 200);
    CHECK(health.body.find("\"status\":\"ok\"") != std::string::npos);
    auto ready = test::http_get(port, "/ready");
    CHECK(ready.status == 200);
    CHECK(test::http_get(port, "/nothing").status == 404);
    CHECK(stop_process(relay.process()) == 0);
  }

  TEST_CASE("datadog: DogStatsD datagrams with tags reach a UDP socket") {
    test::udp_receiver udp;

    kafka::embedded_broker broker(1, {{"e2e-in", 2}, {"e2e-out", 2}});
    auto boot = broker.bootstrap_servers();
    test::temp_directory dir;
    write_relay_config(dir.file("config.yaml"), "datadog-group", "",
                       "{type: datadog, host: 127.0.0.1, port: " + std::to_string(udp.port())
                           + ", tags: {env: test}, flush_interval_ms: 200}");
    kafka::test::produce_with_python(boot, "e2e-in", 100);
    relay_process relay(dir, boot, dir.file("config.yaml"), "a");

    // Counters come as increments: their sum is the count.
    double delivered = 0, relayed_in = 0;
    std::string last;
    auto receive = [&] {
      std::istringstream lines(udp.receive(200ms));
      for (std::string line; std::getline(lines, line);) {
        last = line;
        auto increment = [&](const std::string& name, const std::string& step) {
          if (line.rfind(name + ":", 0) == 0 && line.find("|c|#") != std::string::npos
              && line.find(",step:" + step) != std::string::npos)
            return std::stod(line.substr(name.size() + 1));
          return 0.0;
        };
        delivered += increment("streams.pipeline.output.messages", "output");
        relayed_in += increment("streams.pipeline.input.messages", "relay");
        CHECK(line.find("|#env:test,pipeline:") != std::string::npos);
      }
    };
    REQUIRE_MESSAGE(test::eventually(
                        [&] {
                          receive();
                          return delivered >= 100;
                        },
                        30s),
                    "last line: " << last << relay.process().err());
    CHECK(delivered == 100);
    CHECK(relayed_in == 100);
    CHECK(stop_process(relay.process()) == 0);
  }

  TEST_CASE("log: periodic metric lines, and a last one at the end") {
    kafka::embedded_broker broker(1, {{"e2e-in", 2}, {"e2e-out", 2}});
    auto boot = broker.bootstrap_servers();
    test::temp_directory dir;
    write_relay_config(dir.file("config.yaml"), "log-group", "",
                       "{type: log, period_sec: 0.2, tags: {env: test}}");
    kafka::test::produce_with_python(boot, "e2e-in", 50);
    relay_process relay(dir, boot, dir.file("config.yaml"), "a");
    auto line = "metric=streams.pipeline.output.messages env=test pipeline=";
    REQUIRE_MESSAGE(test::eventually(
                        [&] {
                          auto err = relay.process().err();
                          return err.find(line) != std::string::npos
                                 && err.find("step=output value=50\n") != std::string::npos;
                        },
                        30s),
                    relay.process().err());
    CHECK(stop_process(relay.process()) == 0);
    CHECK(relay.process().err().find("step=relay count=") != std::string::npos);
  }

  TEST_CASE("/ready turns 503 when the broker goes away and 200 when it returns, traffic or not") {
    kafka::embedded_broker broker(1, {{"e2e-in", 2}, {"e2e-out", 2}});
    auto boot = broker.bootstrap_servers();
    test::temp_directory dir;
    write_relay_config(dir.file("config.yaml"), "ready-group");
    auto port = test::free_port();
    relay_process relay(dir, boot, dir.file("config.yaml"), "a", 0, 0ms, {},
                        {"--http", address(port)});
    auto r = wait_for_status(port, "/ready", 200, 30s);
    REQUIRE_MESSAGE(r.status == 200, r.status << " " << r.body << relay.process().err());
    CHECK(r.body.find("\"status\":\"ok\"") != std::string::npos);

    broker.set_down();
    r = wait_for_status(port, "/ready", 503, 30s);
    REQUIRE_MESSAGE(r.status == 503, r.status << " " << r.body);
    CHECK(r.body.find("all Kafka brokers are down") != std::string::npos);
    CHECK(test::http_get(port, "/health").status == 200); // down is not dead

    broker.set_up();
    // Without any traffic: the probes ask the broker for its metadata while it is down.
    r = wait_for_status(port, "/ready", 200, 30s);
    REQUIRE_MESSAGE(r.status == 200, r.status << " " << r.body << relay.process().err());
    CHECK(relay.process().err().find("Kafka brokers reachable again") != std::string::npos);
    CHECK(stop_process(relay.process()) == 0);
  }

  TEST_CASE("a step stuck in a call: /health 503 and the health file untouched until it returns") {
    kafka::embedded_broker broker(1, {{"e2e-in", 1}, {"e2e-out", 1}});
    auto boot = broker.bootstrap_servers();
    test::temp_directory dir;
    write_relay_config(dir.file("config.yaml"), "stall-group");
    auto port = test::free_port();
    auto health_file = dir.file("health.txt");
    auto release = dir.file("release");
    relay_process relay(
        dir, boot, dir.file("config.yaml"), "a", 0, 0ms, {{"E2E_STALL_UNTIL", release}},
        {"--http", address(port), "--health-file", health_file, "--stall-timeout-sec", "1.5"});

    // Idle, nothing to do: touched over and over.
    REQUIRE(test::eventually([&] { return modified_ns(health_file) > 0; }, 30s));
    auto first = modified_ns(health_file);
    REQUIRE(test::eventually([&] { return modified_ns(health_file) > first; }, 10s));
    CHECK(test::http_get(port, "/health").status == 200);

    kafka::test::produce_with_python(boot, "e2e-in", 1, "stall");
    auto r = wait_for_status(port, "/health", 503, 30s);
    REQUIRE_MESSAGE(r.status == 503, r.status << " " << r.body << relay.process().err());
    CHECK(r.body.find("step 'relay' has not answered") != std::string::npos);
    // Nothing is committed while the step is stuck; the lag counts from where the run began.
    kafka::test::produce_with_python(boot, "e2e-in", 5, "behind");
    std::string text;
    CHECK(test::eventually(
        [&] {
          text = test::http_get(port, "/metrics").body;
          return scraped(text, "streams_pipeline_consumer_lag", "input") == 6;
        },
        30s));
    CHECK(scraped(text, "streams_pipeline_consumer_committed_offset", "input") == -1);
    // Not touched while stuck: three times the touch interval (1 s) without a change.
    auto stuck = modified_ns(health_file);
    std::this_thread::sleep_for(3s);
    CHECK(modified_ns(health_file) == stuck);
    CHECK(test::http_get(port, "/health").status == 503);

    std::ofstream(release).put('\n');
    REQUIRE(test::eventually([&] { return test::http_get(port, "/health").status == 200; }, 30s));
    REQUIRE(test::eventually([&] { return modified_ns(health_file) > stuck; }, 10s));
    CHECK(stop_process(relay.process()) == 0);
  }
}
