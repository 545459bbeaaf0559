#include "streams/kafka/embedded_broker.hpp"

#include "kafka_test_support.hpp"
#include "streams/kafka/kafka_error.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>
#include <thread>

using namespace streams::kafka;
using namespace streams::kafka::test;

namespace {

std::vector<int> ports_of(const std::string& bootstrap) {
  std::vector<int> ports;
  std::stringstream in(bootstrap);
  std::string server;
  while (std::getline(in, server, ',')) {
    REQUIRE(server.rfind("127.0.0.1:", 0) == 0);
    ports.push_back(std::stoi(server.substr(server.find(':') + 1)));
  }
  return ports;
}

bool accepts_connections(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

} // namespace

TEST_SUITE("kafka.embedded_broker") {
  TEST_CASE("listens on one 127.0.0.1 port per broker and stops on destruction") {
    std::vector<int> ports;
    {
      embedded_broker broker(3);
      CHECK(broker.broker_count() == 3);
      ports = ports_of(broker.bootstrap_servers());
      REQUIRE(ports.size() == 3);
      for (int port : ports)
        CHECK(accepts_connections(port));
    }
    for (int port : ports)
      CHECK_FALSE(accepts_connections(port));
  }

  TEST_CASE("kcat sees its brokers and topics") {
    embedded_broker broker(2, {{"orders", 3}, {"events", 1}});
    auto r = run_process({"kcat", "-b", broker.bootstrap_servers(), "-L", "-m", "5"}, "", 20s);
    INFO("kcat stdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("2 brokers") != std::string::npos);
    CHECK(r.out.find("topic \"orders\" with 3 partitions") != std::string::npos);
    CHECK(r.out.find("topic \"events\" with 1 partitions") != std::string::npos);
  }

  TEST_CASE("independent clients produce to it and consume from it") {
    embedded_broker broker(1, {{"roundtrip", 2}});
    // kcat produces, kafka-python (an implementation independent of librdkafka) reads back.
    auto produced = run_process({"kcat", "-b", broker.bootstrap_servers(), "-t", "roundtrip", "-P",
                                 "-K", ":", "-H", "origin=kcat"},
                                "a:one\nb:two\na:three\n", 20s);
    INFO("kcat stderr: " << produced.err);
    REQUIRE(produced.exit_code == 0);
    auto consumed = run_python(R"(
import sys
from kafka import KafkaConsumer
c = KafkaConsumer('roundtrip', bootstrap_servers=sys.argv[1], auto_offset_reset='earliest',
                  consumer_timeout_ms=5000, api_version=(2, 5, 0))
seen = []
for m in c:
    seen.append((m.key.decode(), m.value.decode(), [(k, v.decode()) for k, v in m.headers]))
    if len(seen) == 3:
        break
for key, value, headers in sorted(seen, key=lambda s: s[1]):
    print(key, value, headers)
)",
                               {broker.bootstrap_servers()}, 30s);
    INFO("kafka-python stderr: " << consumed.err);
    REQUIRE(consumed.exit_code == 0);
    CHECK(consumed.out
          == "a one [('origin', 'kcat')]\n"
             "a three [('origin', 'kcat')]\n"
             "b two [('origin', 'kcat')]\n");
  }

  TEST_CASE("refuses a topic that exists or has no partitions") {
    embedded_broker broker(1, {{"t", 1}});
    CHECK_THROWS_AS(broker.create_topic("t", 2), kafka_error);
    try {
      broker.create_topic("u", 0);
      FAIL("created a topic without partitions");
    } catch (const kafka_error& e) {
      CHECK(e.code() == errc::broker_command);
      CHECK(std::string(e.what()).find("'u'") != std::string::npos);
    }
    CHECK_THROWS_AS(embedded_broker(0), kafka_error);
  }

  TEST_CASE("set_down refuses connections on the same port until set_up") {
    embedded_broker broker(1);
    auto port = ports_of(broker.bootstrap_servers()).front();
    broker.set_down();
    // The command is applied by the mock cluster's thread: wait for it.
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (accepts_connections(port) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(10ms);
    CHECK_FALSE(accepts_connections(port));
    broker.set_up();
    deadline = std::chrono::steady_clock::now() + 5s;
    while (!accepts_connections(port) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(10ms);
    CHECK(accepts_connections(port));
  }
}

TEST_CASE("kafka.errc: every code has its own name") {
  std::vector<std::string> names;
  for (auto code : {errc::invalid_config, errc::client_creation, errc::broker_command,
                    errc::offset_reset, errc::fatal})
    names.push_back(to_string(code));
  CHECK(names
        == std::vector<std::string>{"invalid_config", "client_creation", "broker_command",
                                    "offset_reset", "fatal"});
}
