// Each kind of deployment-config error, through `streams validate` and `streams run`: one line
// per error naming the key path, exit code 2, and for `run` nothing started: no input read,
// no output written, no offset committed.

#include "cli/cli_test_support.hpp"
#include "support/run_process.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace streams::test;
using namespace std::chrono_literals;

namespace {

const std::string steps = "pipeline.segments[0].steps_config";

/// A config of simple_map_filter with both Kafka steps bound to `brokers`, then `extra`
/// (more steps_config entries, or top-level keys).
std::string with(const std::string& extra, const std::string& brokers = "127.0.0.1:1") {
  return "pipeline:\n"
         "  segments:\n"
         "    - steps_config:\n"
         "        myinput:\n"
         "          bootstrap_servers: [\""
         + brokers
         + "\"]\n"
           "          auto_offset_reset: earliest\n"
           "        mysink:\n"
           "          bootstrap_servers: [\""
         + brokers + "\"]\n" + extra;
}

struct bad_config {
  std::string what;
  std::string yaml;
  /// Each error's line must hold its parts, in this order.
  std::vector<std::vector<std::string>> errors;
};

/// The kinds of error issue 4 lists, each in a config that has only that error.
std::vector<bad_config> bad_configs() {
  return {
      {"a step the pipeline lacks",
       with("        mysinkk:\n          parallelism: 2\n"),
       {{steps + ".mysinkk: ", "no such step in pipeline simple_map_filter",
         "(did you mean mysink?)", "line 9"}}},
      {"a wrong type",
       with("        parser:\n          parallelism: many\n"),
       {{steps + ".parser.parallelism: ", "expected a positive integer",
         "found the string \"many\"", "line 10"}}},
      {"a missing required key",
       "pipeline:\n  segments:\n    - steps_config:\n        myinput:\n"
       "          bootstrap_servers: [\"127.0.0.1:1\"]\n        mysink:\n"
       "          topic: out\n",
       {{steps + ".mysink.bootstrap_servers: ", "missing", "expected a list of strings"}}},
      {"a YAML syntax error", with("metrics:\n  type: [dummy\n"), {{"invalid YAML", "line 11"}}},
      {"an unknown metrics type",
       with("metrics:\n  type: statsd\n"),
       {{"metrics.type: ", "expected one of dummy, log, datadog, prometheus",
         "found the string \"statsd\"", "line 10"}}},
      {"an unset environment variable",
       with("        parser:\n          parallelism: \"${envvar:STREAMS_TEST_UNSET_VARIABLE}\"\n"),
       {{steps + ".parser.parallelism: ", "STREAMS_TEST_UNSET_VARIABLE", "line 10"}}},
      {"several errors, each on its own line in the order of the file",
       with("        mysinkk: {}\n        parser: {parallelism: 0}\n"
            "metrics:\n  type: graphite\n"),
       {{steps + ".mysinkk: ", "no such step"},
        {steps + ".parser.parallelism: ", "found the number 0"},
        {"metrics.type: ", "graphite"}}},
  };
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

/// Checks that stderr is exactly one line per expected error, each holding its parts in order.
void check_errors(const outcome& r, const bad_config& c) {
  INFO("stderr:\n" << r.err);
  CHECK(r.code == 2);
  auto lines = lines_of(r.err);
  REQUIRE_FALSE(c.errors.empty()); // a bad config must give at least one error
  REQUIRE(lines.size() == c.errors.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    CAPTURE(lines[i]);
    CHECK(lines[i].rfind("streams: config: ", 0) == 0);
    std::size_t at = 0;
    for (auto& part : c.errors[i]) {
      CAPTURE(part);
      auto found = lines[i].find(part, at);
      CHECK(found != std::string::npos);
      if (found != std::string::npos)
        at = found + part.size();
    }
  }
}

std::string write(const temp_directory& dir, const std::string& yaml) {
  auto path = dir.file("deploy.yaml");
  std::ofstream(path) << yaml;
  return path;
}

} // namespace

TEST_SUITE("cli.config_errors") {
  TEST_CASE("validate: every kind of error gives its lines and exit code 2") {
    for (auto& c : bad_configs()) {
      CAPTURE(c.what);
      temp_directory dir;
      check_errors(run_cli({"validate", "--config", write(dir, c.yaml), "simple_map_filter"}), c);
    }
    // and a valid one passes
    temp_directory dir;
    auto ok = run_cli({"validate", "--config", write(dir, with("")), "simple_map_filter"});
    INFO(ok.err);
    CHECK(ok.code == 0);
    CHECK(ok.out.find("ok: pipeline 'simple_map_filter'") == 0);
  }

  TEST_CASE("run: every kind of error exits 2 at once, and nothing reaches the broker") {
    kafka_mock broker({"ingest-metrics:4", "transformed-events:4"});
    produce(broker.bootstrap(), "ingest-metrics",
            {R"({"type":"c","name":"a","value":1,"timestamp":1})",
             R"({"type":"c","name":"b","value":2,"timestamp":2})"});
    for (auto c : bad_configs()) {
      CAPTURE(c.what);
      // the same errors, in a config whose steps point at the live broker
      auto at = c.yaml.find("127.0.0.1:1");
      while (at != std::string::npos) {
        c.yaml.replace(at, 11, broker.bootstrap());
        at = c.yaml.find("127.0.0.1:1", at + broker.bootstrap().size());
      }
      temp_directory dir;
      auto started = std::chrono::steady_clock::now();
      check_errors(run_cli({"run", "--config", write(dir, c.yaml), "simple_map_filter"}), c);
      CHECK(std::chrono::steady_clock::now() - started < 5s);
    }
    // no run read the input, committed, or wrote output
    CHECK(read_topic(broker.bootstrap(), "transformed-events").empty());
    CHECK_FALSE(committed_anything(
        group_progress(broker.bootstrap(), "pipeline-myinput", "ingest-metrics")));
    // while the same config without errors does all three
    temp_directory dir;
    child_process good({streams_bin, "run", "--config", write(dir, with("", broker.bootstrap())),
                        "simple_map_filter"},
                       dir.path());
    CHECK(read_topic_until(broker.bootstrap(), "transformed-events", 2, 30s).size() == 2);
    CHECK(stop(good, SIGTERM) == 0);
    CHECK(
        committed_to_end(group_progress(broker.bootstrap(), "pipeline-myinput", "ingest-metrics")));
  }

  TEST_CASE("validate refuses hostile configs in bounded time and memory, with exit code 2") {
    // the "billion laughs" shape through environment variables: 9^9 copies of 4 KiB once
    // expanded, which a loader without limits tries to build (past 20 GB)
    std::string laughs = "env:\n  l0: &l0 [";
    for (int i = 0; i < 9; ++i)
      laughs += (i ? ", " : "") + std::string("\"${envvar:BIG}\"");
    laughs += "]\n";
    for (int level = 1; level < 9; ++level) {
      laughs += "  l" + std::to_string(level) + ": &l" + std::to_string(level) + " [";
      for (int i = 0; i < 9; ++i)
        laughs += (i ? ", *l" : "*l") + std::to_string(level - 1);
      laughs += "]\n";
    }
    temp_directory dir;
    struct hostile {
      std::string config;
      std::string error;
    };
    for (auto& h : std::vector<hostile>{
             {write(dir, laughs), "more than 100000 nodes once its aliases are expanded"},
             {"/dev/zero", "larger than 1 MiB"},
             {dir.path(), "is a directory; expected a YAML file"},
         }) {
      CAPTURE(h.config);
      // 1 GiB of address space and 20 s: a regression fails here instead of eating the machine
      auto r = run_process({"sh", "-c",
                            "ulimit -v 1048576 && BIG=$(printf '%4096s' x) exec \"$0\" validate "
                            "--config \"$1\" simple_map_filter",
                            streams_bin, h.config},
                           "", 20s);
      INFO("stderr:\n" << r.err);
      CHECK_FALSE(r.timed_out);
      CHECK(r.exit_code == 2);
      CHECK(lines_of(r.err).size() == 1);
      CHECK(r.err.find(h.error) != std::string::npos);
      CHECK(r.err.find(h.config) != std::string::npos);
    }
  }

  TEST_CASE("the shipped example configs need their brokers from the environment") {
    unsetenv("STREAMS_BOOTSTRAP_SERVERS");
    for (std::string app :
         {"simple_map_filter", "blq", "broadcast", "simple_batching", "devnull_benchmark"}) {
      CAPTURE(app);
      auto config = example_configs + "/" + app + ".yaml";
      for (std::string cmd : {"validate", "run"}) {
        CAPTURE(cmd);
        auto r = run_cli({cmd, "--config", config, app});
        INFO("stderr:\n" << r.err);
        CHECK(r.code == 2);
        REQUIRE_FALSE(lines_of(r.err).empty());
        for (auto& line : lines_of(r.err)) {
          CHECK(line.find(".bootstrap_servers[0]: ") != std::string::npos);
          CHECK(line.find("STREAMS_BOOTSTRAP_SERVERS") != std::string::npos);
        }
      }
      // and with it set, they are valid
      auto ok = run_cli({"validate", "--config", config, app},
                        {{"STREAMS_BOOTSTRAP_SERVERS", "127.0.0.1:1"}});
      INFO("stderr:\n" << ok.err);
      CHECK(ok.code == 0);
    }
  }
}
