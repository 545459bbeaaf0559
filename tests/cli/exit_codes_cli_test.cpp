// `streams run` and `validate` as a Sentry Streams user runs them: the runner's short flags,
// unknown keys as warnings (errors under --strict), and every exit code (docs/cli.md), each
// from a real process.

#include "cli/cli_test_support.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <fstream>

using namespace streams::test;
using namespace std::chrono_literals;

namespace {

const std::string counting_app = COUNTING_APP;

const std::map<std::string, std::string> brokers = {{"STREAMS_BOOTSTRAP_SERVERS", "127.0.0.1:1"}};

/// Writes simple_map_filter's shipped config with `lines` added to its source's settings (the
/// step before mysink) to DIR/config.yaml; its path.
std::string with_source_settings(const temp_directory& dir, const std::string& lines) {
  auto config = dir.file("config.yaml");
  auto text = read_file(example_configs + "/simple_map_filter.yaml");
  auto at = text.find("        mysink:");
  REQUIRE(at != std::string::npos);
  std::ofstream(config) << text.substr(0, at) << lines << text.substr(at);
  return config;
}

} // namespace

TEST_SUITE("cli.exit_codes") {
  TEST_CASE("an unknown key is a warning, and an error (exit 2) with --strict") {
    temp_directory dir;
    // The shipped config ends with mysink's settings; a typo of `topic` under it.
    auto text = read_file(example_configs + "/simple_map_filter.yaml");
    REQUIRE(text.find("mysink:") != std::string::npos);
    auto config = dir.file("typo.yaml");
    std::ofstream(config) << text.substr(0, text.find("metrics:")) << "          topik: x\n"
                          << text.substr(text.find("metrics:"));
    auto ok = run_cli({"validate", "--config", config, "simple_map_filter"}, brokers);
    INFO(ok.err);
    CHECK(ok.code == 0);
    CHECK(ok.out.find("are valid") != std::string::npos);
    CHECK(ok.err.find("pipeline.segments[0].steps_config.mysink.topik: unknown key for a Kafka "
                      "sink")
          != std::string::npos);
    CHECK(ok.err.find("(did you mean topic?)") != std::string::npos);
    CHECK(ok.err.find("an error with --strict") != std::string::npos);

    for (auto command : {"validate", "run"}) {
      CAPTURE(command);
      auto strict =
          run_cli({command, "--strict", "--config", config, "simple_map_filter"}, brokers);
      INFO(strict.err);
      CHECK(strict.code == 2);
      CHECK(strict.err.find("streams: config: pipeline.segments[0].steps_config.mysink.topik: "
                            "unknown key")
            != std::string::npos);
    }
  }

  TEST_CASE("Sentry's runner flags run the pipeline, and a clean stop exits 0") {
    temp_directory dir;
    auto output = dir.file("out.txt");
    auto config = dir.file("config.yaml");
    std::ofstream(config) << "pipeline:\n  segments:\n    - steps_config:\n"
                             "        same: {parallelism: 2}\n";
    child_process p({streams_bin, "run", "-n", "counted", "-l", "INFO", "-s", "0", "-a",
                     "rust_arroyo", "--config", config, counting_app},
                    dir.path(), {{"STREAMS_TEST_OUTPUT", output}});
    REQUIRE(eventually([&] { return has_lines(output, 101); }, 20s));
    p.signal(SIGTERM);
    auto code = p.wait(30s);
    INFO(p.err());
    REQUIRE(code);
    CHECK(*code == 0);
    CHECK(p.err().find("pipeline 'counted' running") != std::string::npos); // -n
    CHECK(p.err().find("step 'same' (2 instances)") != std::string::npos);  // -s 0's config
  }

  TEST_CASE("a step past its restart limit exits 1") {
    temp_directory dir;
    child_process p({streams_bin, "run", "-l", "Error", counting_app}, dir.path(),
                    {{"STREAMS_TEST_OUTPUT", dir.file("out.txt")}, {"STREAMS_TEST_FAIL", "1"}});
    auto code = p.wait(30s);
    INFO(p.err());
    REQUIRE(code);
    CHECK(*code == 1);
    CHECK(p.err().find("the database is gone") != std::string::npos);
    CHECK(p.err().find("(runtime.restart_limit, user error)") != std::string::npos);
    CHECK(p.err().find("[info]") == std::string::npos); // -l Error, in any case
  }

  TEST_CASE("a broker that cannot be reached exits 1 after the source's connect_timeout_sec") {
    temp_directory dir;
    auto config = with_source_settings(dir, "          connect_timeout_sec: 2\n");
    auto started = std::chrono::steady_clock::now();
    child_process p({streams_bin, "run", "--config", config, "simple_map_filter"}, dir.path(),
                    brokers);
    auto code = p.wait(60s); // instead of the default 30 s
    auto took = std::chrono::steady_clock::now() - started;
    INFO(p.err());
    REQUIRE(code);
    CHECK(*code == 1);
    CHECK(took >= 2s);
    CHECK(took < 15s);
    CHECK(p.err().find("2000 ms since the source started (connect_timeout)") != std::string::npos);
    CHECK(p.err().find("no broker of 127.0.0.1:1 has answered") != std::string::npos);
    CHECK(p.err().find("(kafka.unreachable, external error, may succeed if retried)")
          != std::string::npos);
  }

  TEST_CASE("a setting the Kafka client refuses exits 2 with its typed code") {
    temp_directory dir;
    // librdkafka knows no such property: the source cannot be made, nothing starts.
    auto config = with_source_settings(dir, "          override_params: {no.such.property: 1}\n");
    auto r = run_cli({"run", "--config", config, "simple_map_filter"}, brokers);
    INFO(r.err);
    CHECK(r.code == 2);
    CHECK(r.err.find("cannot start pipeline 'simple_map_filter': step 'myinput': ")
          != std::string::npos);
    CHECK(r.err.find("(kafka.invalid_config, user error)") != std::string::npos);
  }

  TEST_CASE("usage and config errors exit 2") {
    CHECK(run_cli({"run", "--no-such-flag", counting_app}).code == 2);
    CHECK(run_cli({"run", "-l", "loud", counting_app}).code == 2);
    CHECK(run_cli({"run", "-a", "flink", counting_app}).code == 2);
    CHECK(run_cli({"run", "--config", "/nonexistent.yaml", counting_app}).code == 2);
  }
}
