// A batch step's size and time come from the deployment config when it gives them, as in
// Sentry Streams' configs, overriding what the app built.

#include "cli/cli_test_support.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <fstream>

using namespace streams::test;
using namespace std::chrono_literals;

TEST_CASE("batch_size and batch_timedelta in steps_config override the app's batch") {
  kafka_mock broker({"ingest-metrics:1", "transformed-events:1"});
  temp_directory dir;
  auto config_path = dir.file("deploy.yaml");
  // simple_batching builds batches of 3 or 100 s; the config says 2 or 1 s
  std::ofstream(config_path) << R"(pipeline:
  segments:
    - steps_config:
        myinput:
          bootstrap_servers: ["${envvar:STREAMS_BOOTSTRAP_SERVERS}"]
          auto_offset_reset: earliest
        mybatch:
          batch_size: 2
          batch_timedelta: {seconds: 1}
        mysink:
          bootstrap_servers: ["${envvar:STREAMS_BOOTSTRAP_SERVERS}"]
)";
  produce(broker.bootstrap(), "ingest-metrics", {R"({"n":1})", R"({"n":2})", R"({"n":3})"});
  child_process run({streams_bin, "run", "--config", config_path, "simple_batching"}, dir.path(),
                    {{"STREAMS_BOOTSTRAP_SERVERS", broker.bootstrap()}});
  // a full batch of two, then the third alone once a second has passed: while still running
  auto out = read_topic_until(broker.bootstrap(), "transformed-events", 2, 30s);
  CHECK(run.running());
  CHECK(out == std::vector<std::string>{R"([{"n":1},{"n":2}])", R"([{"n":3}])"});
  CHECK(stop(run, SIGTERM) == 0);
}
