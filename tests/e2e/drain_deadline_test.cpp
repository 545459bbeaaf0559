// With the sink's broker gone, a SIGTERM'd `streams run` gives up after drain_timeout_sec
// (instead of librdkafka's message.timeout.ms of 300 s) and exits 1, having committed nothing
// past what was delivered.

#include "e2e_support.hpp"

#include "kafka/kafka_test_support.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <fstream>

using namespace streams;
using namespace streams::e2e;

TEST_SUITE("e2e.drain_deadline") {
  TEST_CASE("with the sink's broker gone, SIGTERM exits 1 within the drain deadline, committing "
            "only what was delivered") {
    kafka::embedded_broker source_broker(1, {{"e2e-in", 1}});
    kafka::embedded_broker sink_broker(1, {{"e2e-out", 1}});
    auto boot = source_broker.bootstrap_servers();
    test::temp_directory dir;
    auto config = dir.file("deploy.yaml");
    std::ofstream(config) << R"(drain_timeout_sec: 3
pipeline:
  segments:
    - steps_config:
        input:
          bootstrap_servers: ["${envvar:STREAMS_BOOTSTRAP_SERVERS}"]
          topic: e2e-in
          consumer_group: drain
          auto_offset_reset: earliest
          override_params: {session.timeout.ms: 6000}
        output:
          bootstrap_servers: ["${envvar:SINK_SERVERS}"]
          topic: e2e-out
)";
    kafka::test::produce_with_python(boot, "e2e-in", 100, "m", 1);
    relay_process relay(dir, boot, config, "a", 0, 200ms,
                        {{"SINK_SERVERS", sink_broker.bootstrap_servers()}});
    REQUIRE(wait_committed_to_end(boot, "e2e-in", "drain", 60s) == offsets{{0, 100}});

    sink_broker.set_down();
    kafka::test::produce_with_python(boot, "e2e-in", 100, "late", 1);
    // the relay step has passed them all to the sink, which cannot deliver them
    REQUIRE(test::eventually([&] { return relay.relayed() >= 200; }, 30s));

    auto signalled = std::chrono::steady_clock::now();
    relay.process().signal(SIGTERM);
    auto code = relay.process().wait(30s);
    auto took = std::chrono::steady_clock::now() - signalled;
    INFO("stderr: " << relay.process().err());
    REQUIRE(code);
    CHECK(*code == 1);
    CHECK(took >= 3s);
    CHECK(took < 15s); // the deadline, the last flush's own bound and purging what is left
    CHECK(relay.process().err().find("3000 ms") != std::string::npos); // drain_timeout_sec
    CHECK(relay.process().err().find("(runtime.drain_timeout, external error, may succeed if "
                                     "retried)")
          != std::string::npos);
    CHECK(committed_offsets(boot, "e2e-in", "drain") == offsets{{0, 100}});
  }
}
