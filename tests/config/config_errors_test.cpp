// Every kind of error a deployment config can have gives one line naming the key path, what
// was expected and what was found; a load reports all of them, not just the first.

#include "streams/config/load_deployment_config.hpp"

#include "config/config_test_support.hpp"

#include <doctest/doctest.h>

using namespace streams;
using namespace streams::config;
using namespace streams::test;

namespace {

const std::string steps = "pipeline.segments[0].steps_config";

/// simple_map_filter's config with `extra` added to the settings of `mysink`.
std::string with_sink(const std::string& extra) {
  return "pipeline:\n"
         "  segments:\n"
         "    - steps_config:\n"
         "        myinput:\n"
         "          bootstrap_servers: [\"a:9092\"]\n"
         "        mysink:\n"
         "          bootstrap_servers: [\"a:9092\"]\n"
         + extra;
}

/// Checks that loading `yaml` into simple_map_filter fails with an error at `path` whose
/// line holds every one of `parts`.
void check_error(const std::string& yaml, const std::string& path,
                 const std::vector<std::string>& parts) {
  auto p = example("simple_map_filter");
  auto r = load_text(yaml, p->graph());
  INFO(all_errors(r));
  CHECK_FALSE(r);
  CHECK_FALSE(r.config);
  CHECK(find_error(r, path, parts));
}

/// Checks that `yaml` loads into simple_map_filter with a warning at `path` whose line holds
/// every one of `parts`: Sentry Streams' schema lets a config carry keys it does not know.
void check_warning(const std::string& yaml, const std::string& path,
                   const std::vector<std::string>& parts) {
  auto p = example("simple_map_filter");
  auto r = load_text(yaml, p->graph());
  INFO(all_errors(r));
  CHECK(r);
  CHECK(find_warning(r, path, parts));
  CHECK_FALSE(find_error(r, path));
}

} // namespace

TEST_SUITE("config.errors") {
  TEST_CASE("a step the pipeline lacks") {
    check_error(with_sink("        mysinkk:\n          parallelism: 2\n"), steps + ".mysinkk",
                {"no such step in pipeline simple_map_filter",
                 "expected one of: myinput, parser, filter, transform, serializer, mysink",
                 "(did you mean mysink?)", "line 8, column 9"});
  }

  TEST_CASE("a wrong type") {
    check_error(with_sink("          topic: {name: x}\n"), steps + ".mysink.topic",
                {"expected a non-empty string, found a map", "line 8"});
    check_error(with_sink("          override_params: [a, b]\n"), steps + ".mysink.override_params",
                {"expected a map of strings, found a list"});
    check_error(with_sink("          override_params:\n            acks: [1]\n"),
                steps + ".mysink.override_params.acks",
                {"expected a string, number or boolean, found a list"});
    check_error("pipeline:\n  segments:\n    - steps_config:\n        myinput:\n"
                "          bootstrap_servers: {host: a}\n",
                steps + ".myinput.bootstrap_servers",
                {"expected a non-empty list of strings, found a map", "line 5, column 30"});
    check_error("pipeline:\n  segments:\n    - steps_config:\n        myinput:\n"
                "          bootstrap_servers: \"a:9092\"\n",
                steps + ".myinput.bootstrap_servers",
                {"expected a non-empty list of strings, found the string \"a:9092\""});
    check_error("pipeline:\n  segments:\n    - steps_config:\n        myinput:\n"
                "          bootstrap_servers: [a, [b]]\n",
                steps + ".myinput.bootstrap_servers[1]",
                {"expected a non-empty string, found a list"});
    check_error("pipeline:\n  segments: {a: 1}\n", "pipeline.segments",
                {"expected a list of segments, found a map"});
    check_error("pipeline: [1]\n", "pipeline", {"expected a map, found a list"});
    check_error("- a\n- b\n", "", {"expected a map, found a list", "line 1, column 1"});
    check_error(with_sink("          starts_segment: maybe\n"), steps + ".mysink.starts_segment",
                {"expected a boolean (true or false), found the string \"maybe\""});
    check_error("state_dir: {path: /tmp}\n" + with_sink(""), "state_dir",
                {"expected a non-empty string, found a map", "line 1"});
    check_error("state_dir: \"\"\n" + with_sink(""), "state_dir",
                {"expected a non-empty string, found the string \"\"", "line 1"});
  }

  TEST_CASE("numbers out of range or quoted") {
    check_error(with_sink("          parallelism: 0\n"), steps + ".mysink.parallelism",
                {"expected a positive integer, found the number 0"});
    check_error(with_sink("          parallelism: -2\n"), steps + ".mysink.parallelism",
                {"expected a positive integer, found the number -2"});
    check_error(with_sink("          parallelism: 1.5\n"), steps + ".mysink.parallelism",
                {"expected a positive integer, found the number 1.5"});
    check_error(with_sink("          parallelism: \"3\"\n"), steps + ".mysink.parallelism",
                {"expected a positive integer, found the string \"3\""});
    check_error(with_sink("          parallelism: ~\n"), steps + ".mysink.parallelism",
                {"expected a positive integer, found null", "line 8"});
  }

  TEST_CASE("a missing required key") {
    check_error("env: {}\n", "pipeline", {"missing required key; expected a map", "line 1"});
    check_error("pipeline:\n  adapter_config: {}\n", "pipeline.segments",
                {"missing required key; expected a list"});
    check_error("pipeline:\n  segments:\n    - parallelism: 2\n",
                "pipeline.segments[0].steps_config",
                {"missing required key; expected a map", "line 3"});
    check_error("pipeline:\n  segments:\n    - steps_config:\n        myinput:\n"
                "          topic: x\n        mysink:\n          bootstrap_servers: [a:1]\n",
                steps + ".myinput.bootstrap_servers",
                {"missing required key for a Kafka source; expected a list of strings", "line 5"});
    // a step written with nothing under it
    check_error("pipeline:\n  segments:\n    - steps_config:\n        myinput:\n"
                "        mysink:\n          bootstrap_servers: [a:1]\n",
                steps + ".myinput.bootstrap_servers",
                {"missing required key for a Kafka source", "line 4"});
    check_error(with_sink("metrics:\n  type: datadog\n  port: 8125\n"), "metrics.host",
                {"missing required key for metrics of type datadog; expected a string"});
    check_error(with_sink("metrics:\n  tags: {a: b}\n"), "metrics.type",
                {"missing required key; expected a string: dummy, log, datadog or prometheus"});
    check_error("pipeline:\n  segments:\n    - steps_config:\n        myinput:\n"
                "          bootstrap_servers: [a:1]\n          dlq: {topic: dead}\n"
                "        mysink:\n          bootstrap_servers: [a:1]\n",
                steps + ".myinput.dlq.bootstrap_servers",
                {"missing required key for a dead-letter queue; expected a list of strings"});
  }

  TEST_CASE("a Kafka step no segment configures") {
    check_error("pipeline:\n  segments:\n    - steps_config:\n        myinput:\n"
                "          bootstrap_servers: [a:1]\n",
                "pipeline.segments[].steps_config.mysink",
                {"missing settings for a Kafka sink",
                 "expected them (with bootstrap_servers) in the steps_config of one segment"});
  }

  TEST_CASE("an unknown key is a warning that names the allowed ones and the nearest") {
    check_warning(with_sink("          topik: x\n"), steps + ".mysink.topik",
                  {"unknown key for a Kafka sink; expected one of: bootstrap_servers, "
                   "connect_timeout_sec, override_params, parallelism, starts_segment, topic",
                   "(did you mean topic?)", "line 8, column 11"});
    check_warning(
        with_sink("pipelines: {}\n"), "pipelines",
        {"unknown key; expected one of: cluster, drain_timeout_sec, env, metrics, pipeline, "
         "sentry_sdk_config",
         "(did you mean pipeline?)"});
    check_warning(
        with_sink("    - steps_config: {}\n      paralelism: 2\n"),
        "pipeline.segments[1].paralelism",
        {"expected one of: nodes, parallelism, steps_config", "(did you mean parallelism?)"});
    check_warning(with_sink("metrics:\n  type: log\n  period: 5\n"), "metrics.period",
                  {"unknown key for metrics of type log; expected one of: period_sec, tags, type"});
    // Kafka keys on a step that is not a Kafka step
    check_warning(with_sink("        parser:\n          topic: x\n"), steps + ".parser.topic",
                  {"unknown key for a parser step; expected one of: parallelism, starts_segment"});
    check_warning("pipeline:\n  segments:\n    - steps_config:\n        myinput:\n"
                  "          bootstrap_servers: [a:1]\n          dlq: {bootstrap_servers: [a:1],"
                  " topics: x}\n        mysink:\n          bootstrap_servers: [a:1]\n",
                  steps + ".myinput.dlq.topics", {"did you mean topic?"});
  }

  TEST_CASE("a key given twice") {
    check_error(with_sink("          topic: a\n          topic: b\n"), steps + ".mysink.topic",
                {"key given twice; expected it once", "line 9"});
  }

  TEST_CASE("a step configured in two segments") {
    check_error(
        with_sink("    - steps_config:\n        mysink:\n          parallelism: 2\n"),
        "pipeline.segments[1].steps_config.mysink",
        {"step configured twice, here and in pipeline.segments[0]", "expected it in one segment"});
  }

  TEST_CASE("YAML syntax errors give their line and column") {
    check_error("pipeline:\n  segments: [a, b\nmetrics: {}\n", "",
                {"invalid YAML: end of sequence flow not found", "line 3"});
    check_error("pipeline:\n  segments: []\n   bad: 1\n", "", {"invalid YAML:", "line 3"});
    auto p = example("simple_map_filter");
    auto r = load_text("pipeline: {\n", p->graph());
    REQUIRE(r.errors.size() == 1);
    CHECK(to_string(r.errors[0]).find("invalid YAML") == 0);
  }

  TEST_CASE("an empty document, a missing file") {
    check_error("", "", {"expected a map with the key pipeline, found an empty document"});
    check_error("# nothing\n", "", {"found an empty document"});
    auto p = example("simple_map_filter");
    auto r = load_deployment_config("/nonexistent/deploy.yaml", p->graph());
    REQUIRE(r.errors.size() == 1);
    CHECK(to_string(r.errors[0])
          == "cannot read the file: No such file or directory (/nonexistent/deploy.yaml)");
  }

  TEST_CASE("an unknown metrics type names the allowed ones") {
    check_error(with_sink("metrics:\n  type: statsd\n  host: x\n"), "metrics.type",
                {"expected one of dummy, log, datadog, prometheus, found the string \"statsd\"",
                 "line 9, column 9"});
    // only the type is reported: its other keys cannot be judged without it
    auto p = example("simple_map_filter");
    CHECK(load_text(with_sink("metrics:\n  type: statsd\n  host: x\n"), p->graph()).errors.size()
          == 1);
  }

  TEST_CASE("a bad enum value") {
    check_error("pipeline:\n  segments:\n    - steps_config:\n        myinput:\n"
                "          bootstrap_servers: [a:1]\n          auto_offset_reset: oldest\n"
                "        mysink:\n          bootstrap_servers: [a:1]\n",
                steps + ".myinput.auto_offset_reset",
                {"expected one of earliest, latest, error, found the string \"oldest\"",
                 "line 6, column 30"});
  }

  TEST_CASE("batch and devnull settings out of range") {
    auto p = example("simple_batching");
    auto yaml = [](const std::string& batch) {
      return "pipeline:\n  segments:\n    - steps_config:\n        myinput:\n"
             "          bootstrap_servers: [a:1]\n        mysink:\n"
             "          bootstrap_servers: [a:1]\n        mybatch:\n"
             + batch;
    };
    auto r =
        load_text(yaml("          batch_size: 0\n          batch_timedelta: 20\n"), p->graph());
    INFO(all_errors(r));
    CHECK(find_error(r, steps + ".mybatch.batch_size",
                     {"expected a positive integer, found the number 0"}));
    CHECK(find_error(r, steps + ".mybatch.batch_timedelta",
                     {"expected a map of durations such as {seconds: 20}, found the number 20"}));
    r = load_text(yaml("          batch_timedelta: {second: 1, minutes: x}\n"), p->graph());
    CHECK(find_warning(r, steps + ".mybatch.batch_timedelta.second",
                       {"unknown key for a duration", "(did you mean seconds?)"}));
    CHECK(find_error(r, steps + ".mybatch.batch_timedelta.minutes",
                     {"expected a number, found the string \"x\""}));
    r = load_text(yaml("          batch_timedelta: {seconds: 0}\n"), p->graph());
    CHECK(find_error(r, steps + ".mybatch.batch_timedelta",
                     {"expected a duration of at least 1 millisecond"}));

    auto d = example("devnull_benchmark");
    auto devnull = [](const std::string& settings) {
      return "pipeline:\n  segments:\n    - steps_config:\n        benchmark_source:\n"
             "          bootstrap_servers: [a:1]\n        devnull:\n"
             + settings;
    };
    r = load_text(devnull("          average_sleep_time_ms: 5\n"), d->graph());
    CHECK(find_error(r, steps + ".devnull.max_sleep_time_ms",
                     {"missing; expected a positive number of milliseconds, required with "
                      "average_sleep_time_ms"}));
    r = load_text(devnull("          average_sleep_time_ms: 5\n          max_sleep_time_ms: 2\n"),
                  d->graph());
    CHECK(find_error(r, steps + ".devnull.max_sleep_time_ms",
                     {"expected at least average_sleep_time_ms (5), found 2"}));
    r = load_text(devnull("          batch_time_ms: -1\n"), d->graph());
    CHECK(find_error(r, steps + ".devnull.batch_time_ms",
                     {"expected a positive number of milliseconds, found the number -1"}));
  }

  TEST_CASE("a port out of range") {
    check_error(with_sink("metrics:\n  type: prometheus\n  port: 70000\n"), "metrics.port",
                {"expected a port number (1 to 65535), found the number 70000"});
  }

  TEST_CASE("every error is reported, in the order of the file") {
    auto p = example("simple_map_filter");
    auto r = load_text("pipeline:\n"
                       "  segments:\n"
                       "    - steps_config:\n"
                       "        myinput:\n"
                       "          bootstrap_servers: [\"${envvar:UNSET}\"]\n"
                       "          auto_offset_reset: first\n"
                       "        mysink:\n"
                       "          topik: x\n"
                       "        nosuchstep: {}\n"
                       "metrics:\n"
                       "  type: graphite\n",
                       p->graph());
    INFO(all_errors(r));
    REQUIRE(r.errors.size() == 5);
    CHECK(r.errors[0].path == steps + ".myinput.bootstrap_servers[0]"); // envvar
    CHECK(r.errors[1].path == steps + ".myinput.auto_offset_reset");    // enum
    CHECK(r.errors[2].path == steps + ".mysink.bootstrap_servers");     // missing key
    CHECK(r.errors[3].path == steps + ".nosuchstep");                   // no such step
    CHECK(r.errors[4].path == "metrics.type");                          // metrics type
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].path == steps + ".mysink.topik"); // unknown key
  }
}
