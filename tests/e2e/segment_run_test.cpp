// `streams run --segment-id N` without a cluster: the process runs segment N only, as each
// process of a Sentry Streams deployment runs one segment. The relay app with its side chain
// (E2E_SIDE=1): segment 0 relays e2e-in to e2e-out, segment 1 e2e-side-in to e2e-side-out.

#include "e2e_support.hpp"

#include "kafka/kafka_test_support.hpp"
#include "support/run_process.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <fstream>

using namespace streams;
using namespace streams::e2e;

namespace {

/// A Kafka step's settings in a config, at the indentation of a step name.
std::string kafka_step(const std::string& name, const std::string& topic,
                       const std::string& group = "") {
  std::string out = "        " + name
                    + ":\n"
                      "          bootstrap_servers: [\"${envvar:STREAMS_BOOTSTRAP_SERVERS}\"]\n"
                      "          topic: "
                    + topic + "\n";
  if (group.empty())
    return out;
  out += "          consumer_group: " + group
         + "\n"
           "          auto_offset_reset: earliest\n"
           "          override_params:\n";
  for (auto& [k, v] : group_timing())
    out += "            " + k + ": " + v + "\n";
  return out;
}

/// A config of two segments, each given as its steps' settings.
std::string write_config(const test::temp_directory& dir, const std::string& segment0,
                         const std::string& segment1) {
  auto path = dir.file("segments.yaml");
  std::ofstream(path) << "env: {}\n"
                         "pipeline:\n"
                         "  segments:\n"
                         "    - steps_config:\n"
                      << segment0 << "    - steps_config:\n"
                      << segment1 << "metrics: {type: dummy}\n";
  return path;
}

} // namespace

TEST_SUITE("e2e.segment_run") {
  TEST_CASE("--segment-id 1 runs segment 1 only: segment 0's topics are untouched") {
    kafka::embedded_broker broker(
        1, {{"e2e-in", 2}, {"e2e-out", 1}, {"e2e-side-in", 2}, {"e2e-side-out", 1}});
    auto boot = broker.bootstrap_servers();
    kafka::test::produce_with_python(boot, "e2e-in", 300, "m");
    kafka::test::produce_with_python(boot, "e2e-side-in", 200, "s");
    test::temp_directory dir;
    auto config = write_config(
        dir, kafka_step("input", "e2e-in", "seg-main") + kafka_step("output", "e2e-out"),
        kafka_step("side_input", "e2e-side-in", "seg-side")
            + kafka_step("side_output", "e2e-side-out"));

    relay_process run(dir, boot, config, "side", 0, 200ms, {{"E2E_SIDE", "1"}},
                      {"--segment-id", "1"});
    auto committed = wait_committed_to_end(boot, "e2e-side-in", "seg-side", 60s);
    INFO(run.process().err());
    CHECK(committed == end_offsets(boot, "e2e-side-in"));
    run.process().signal(SIGTERM);
    REQUIRE(run.process().wait(30s) == 0);

    std::set<int> ids;
    for (auto& r : read_topic(boot, "e2e-side-out")) {
      CHECK(r.value.rfind("s-", 0) == 0);
      ids.insert(id_of(r.value));
    }
    CHECK(ids.size() == 200);
    CHECK(*ids.rbegin() == 199);
    // Segment 0 never ran: nothing read from e2e-in for its group, nothing written to e2e-out.
    CHECK(read_topic(boot, "e2e-out").empty());
    CHECK(committed_offsets(boot, "e2e-in", "seg-main") == offsets{{0, no_offset}, {1, no_offset}});
    auto err = run.process().err();
    CHECK(err.find("running segment 1 of 2") != std::string::npos);
    CHECK(err.find("step 'side_relay'") != std::string::npos); // the run's statistics
    CHECK(err.find("step 'relay'") == std::string::npos);
  }

  TEST_CASE("a segment joined to another cannot run alone, and a segment must exist") {
    kafka::embedded_broker broker(1, {{"e2e-in", 1}, {"e2e-out", 1}});
    test::temp_directory dir;
    // The relay step starts segment 1: segment 0 is the source alone.
    auto config = write_config(dir, kafka_step("input", "e2e-in", "seg-joined"),
                               "        relay: {}\n" + kafka_step("output", "e2e-out"));
    auto run = [&](const std::string& segment) {
      return test::run_process({"env", "STREAMS_BOOTSTRAP_SERVERS=" + broker.bootstrap_servers(),
                                STREAMS_BIN, "run", "--config", config, "--segment-id", segment,
                                RELAY_APP});
    };
    auto later = run("1");
    CHECK(later.exit_code == 2);
    CHECK(later.err.find(
              "streams: invalid pipeline: segment 1 starts at step 'relay', which reads from step "
              "'input' of segment 0: run it in a cluster, or start the segment at a source\n")
          != std::string::npos);
    auto first = run("0");
    CHECK(first.exit_code == 2);
    CHECK(first.err.find("segment 0 sends from step 'input' to step 'relay' of segment 1")
          != std::string::npos);
    auto missing = run("2");
    CHECK(missing.exit_code == 2);
    CHECK(missing.err.find("streams: config: --segment-id 2: the config has 2 segment(s)\n")
          != std::string::npos);
    // With a cluster, the coordinator places every segment: --segment-id makes no sense.
    auto clustered = dir.file("cluster.yaml");
    auto text = test::read_file(config);
    for (auto at = text.find("- steps_config"); at != std::string::npos;
         at = text.find("- steps_config", at + 1))
      text.replace(at, 2, "- nodes: [a]\n      ");
    std::ofstream(clustered) << "cluster:\n"
                                "  nodes: {a: \"127.0.0.1:1\"}\n"
                                "  secret: sixteen characters or more\n"
                             << text;
    auto placed = test::run_process(
        {"env", "STREAMS_BOOTSTRAP_SERVERS=" + broker.bootstrap_servers(), STREAMS_BIN, "run",
         "--config", clustered, "--segment-id", "0", RELAY_APP});
    INFO(placed.err);
    CHECK(placed.exit_code == 2);
    CHECK(placed.err.find("--segment-id: with a cluster section the coordinator places every "
                          "segment")
          != std::string::npos);
    // Refused before anything started: the source's group took nothing.
    CHECK(committed_offsets(broker.bootstrap_servers(), "e2e-in", "seg-joined")
          == offsets{{0, no_offset}});
  }
}
