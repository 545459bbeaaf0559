// A Kafka sink whose brokers never answer stops `streams run` after its connect_timeout_sec,
// instead of waiting librdkafka's message.timeout.ms (300 s) for every message: exit 1 with
// `kafka.unreachable` naming the address, and nothing committed that was not delivered.

#include "e2e_support.hpp"

#include "kafka/kafka_test_support.hpp"

#include <doctest/doctest.h>

#include <fstream>

using namespace streams;
using namespace streams::e2e;

TEST_SUITE("e2e.sink_unreachable") {
  TEST_CASE("a sink whose brokers never answer exits 1 after connect_timeout_sec, committing "
            "nothing") {
    kafka::embedded_broker source_broker(1, {{"e2e-in", 1}});
    auto boot = source_broker.bootstrap_servers();
    test::temp_directory dir;
    auto config = dir.file("deploy.yaml");
    // Nothing listens on port 1 of the loopback: every connection is refused.
    std::ofstream(config) << R"(pipeline:
  segments:
    - steps_config:
        input:
          bootstrap_servers: ["${envvar:STREAMS_BOOTSTRAP_SERVERS}"]
          topic: e2e-in
          consumer_group: unreachable
          auto_offset_reset: earliest
          override_params: {session.timeout.ms: 6000}
        output:
          bootstrap_servers: ["127.0.0.1:1"]
          topic: e2e-out
          connect_timeout_sec: 2
)";
    kafka::test::produce_with_python(boot, "e2e-in", 100, "m", 1);
    auto started = std::chrono::steady_clock::now();
    relay_process relay(dir, boot, config, "a", 0, 200ms);
    auto code = relay.process().wait(60s);
    auto took = std::chrono::steady_clock::now() - started;
    auto err = relay.process().err();
    INFO("stderr: " << err);
    REQUIRE(code);
    CHECK(*code == 1);
    CHECK(took >= 2s);
    CHECK(took < 20s); // not message.timeout.ms, nor the drain deadline (20 s)
    CHECK(err.find("sink 'output': sink topic=e2e-out: no broker of 127.0.0.1:1 has answered in "
                   "the 2000 ms since the sink started (connect_timeout)")
          != std::string::npos);
    CHECK(err.find("(kafka.unreachable, external error, may succeed if retried)")
          != std::string::npos);
    CHECK(committed_offsets(boot, "e2e-in", "unreachable") == offsets{{0, no_offset}});
  }
}
