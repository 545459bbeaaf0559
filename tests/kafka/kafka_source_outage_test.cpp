// A source whose brokers are missing, or go away, logs it and keeps polling; it never crashes.
#include "streams/kafka/kafka_source.hpp"

#include "kafka_test_support.hpp"
#include "streams/kafka/embedded_broker.hpp"
#include "streams/kafka/kafka_error.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <optional>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace streams;
using namespace streams::kafka;
using namespace streams::kafka::test;

namespace {

source_config config_for(const std::string& bootstrap, const std::string& topic) {
  source_config c;
  c.bootstrap_servers = bootstrap;
  c.topic = topic;
  c.consumer_group = "g";
  // Reconnect quickly: with librdkafka's default backoff (up to 10 s) a consumer may not be
  // back before the short test session timeout and would lose its assignment.
  c.override_params = {{"session.timeout.ms", "6000"},
                       {"heartbeat.interval.ms", "500"},
                       {"reconnect.backoff.max.ms", "500"}};
  return c;
}

// A port on which nothing listens: bound and closed again.
int closed_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

template <class F>
std::chrono::milliseconds timed(F f) {
  auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now()
                                                               - start);
}

} // namespace

TEST_SUITE("kafka.kafka_source.outage") {
  TEST_CASE("no broker at the bootstrap address: polls nothing, stops promptly") {
    kafka_source src(config_for("127.0.0.1:" + std::to_string(closed_port()), "in"));
    tracking_context ctx;
    src.start(ctx);
    CHECK(poll_for(src, 2s).empty());
    CHECK(src.assignment().empty());
    auto took = timed([&] { src.stop(); });
    CHECK(took < 10s);
  }

  TEST_CASE("no broker answers before connect_timeout: the source stops as unreachable") {
    auto c = config_for("127.0.0.1:" + std::to_string(closed_port()), "in");
    c.connect_timeout = 1500ms;
    kafka_source src(c);
    tracking_context ctx;
    src.start(ctx);
    auto start = std::chrono::steady_clock::now();
    std::optional<kafka_error> failure;
    while (!failure && std::chrono::steady_clock::now() - start < 30s) {
      try {
        src.poll(100);
      } catch (const kafka_error& e) {
        failure = e;
      }
      std::this_thread::sleep_for(10ms);
    }
    REQUIRE(failure);
    CHECK(std::chrono::steady_clock::now() - start >= c.connect_timeout);
    CHECK(failure->code() == kafka::errc::unreachable);
    CHECK(failure->streams::error::code() == "kafka.unreachable");
    CHECK(std::string(failure->what()).find(c.bootstrap_servers) != std::string::npos);
    src.stop();
  }

  TEST_CASE("brokers down at start, then up: the source proceeds") {
    embedded_broker broker(1, {{"in", 2}});
    produce_with_python(broker.bootstrap_servers(), "in", 40);
    broker.set_down();
    kafka_source src(config_for(broker.bootstrap_servers(), "in"));
    tracking_context ctx;
    src.start(ctx);
    CHECK(poll_for(src, 2s).empty());
    broker.set_up();
    auto all = poll_until(
        src, [](auto& all) { return all.size() >= 40; }, 60s);
    CHECK(all.size() == 40);
    src.stop();
  }

  TEST_CASE("brokers going away and coming back: no loss, no crash") {
    embedded_broker broker(1, {{"in", 2}});
    produce_with_python(broker.bootstrap_servers(), "in", 40, "a");
    kafka_source src(config_for(broker.bootstrap_servers(), "in"));
    tracking_context ctx;
    src.start(ctx);
    auto all = poll_until(
        src, [](auto& all) { return all.size() >= 40; }, 30s);
    REQUIRE(all.size() == 40);
    broker.set_down();
    CHECK(poll_for(src, 2s).empty());
    broker.set_up();
    produce_with_python(broker.bootstrap_servers(), "in", 40, "b");
    auto more = poll_until(
        src, [](auto& all) { return all.size() >= 40; }, 60s);
    CHECK(more.size() == 40);
    for (auto& m : more)
      CHECK(m.payload<bytes>().rfind("b-", 0) == 0);
    src.stop();
  }

  TEST_CASE("the broker destroyed under a running source: keeps polling, stops promptly") {
    auto broker = std::make_unique<embedded_broker>(1, std::vector<topic_spec>{{"in", 2}});
    produce_with_python(broker->bootstrap_servers(), "in", 20);
    kafka_source src(config_for(broker->bootstrap_servers(), "in"));
    tracking_context ctx;
    src.start(ctx);
    REQUIRE(poll_until(
                src, [](auto& all) { return all.size() >= 20; }, 30s)
                .size()
            == 20);
    broker.reset();
    src.commit({{0, 5}}); // fails (logged), must not throw
    CHECK(poll_for(src, 3s).empty());
    auto took = timed([&] { src.stop(); });
    CHECK(took < 15s);
  }

  TEST_CASE("a commit made while the brokers are down persists once they are back") {
    embedded_broker broker(1, {{"in", 1}});
    produce_with_python(broker.bootstrap_servers(), "in", 20);
    // The member must outlive the outage: on a loaded machine librdkafka took more than 3 s
    // to find the coordinator again, so give the session ample time.
    auto config = config_for(broker.bootstrap_servers(), "in");
    config.override_params["session.timeout.ms"] = "10000";
    {
      kafka_source src(config);
      tracking_context ctx;
      src.start(ctx);
      REQUIRE(poll_until(
                  src, [](auto& all) { return all.size() >= 20; }, 30s)
                  .size()
              == 20);
      broker.set_down();
      src.commit({{0, 7}});
      CHECK(poll_for(src, 2s).empty());
      broker.set_up();
      CHECK(poll_for(src, 4s).empty());
      REQUIRE(src.assignment() == std::vector<std::int32_t>{0}); // still a member
      src.stop();
    }
    kafka_source again(config);
    tracking_context ctx;
    again.start(ctx);
    auto all = poll_until(
        again, [](auto& all) { return all.size() >= 13; }, 30s);
    REQUIRE(all.size() == 13);
    CHECK(offset_of(all.front()) == 7);
    again.stop();
  }
}
