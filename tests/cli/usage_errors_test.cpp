// What a user gets wrong on the command line: unknown flags, missing arguments, files that do
// not exist, apps that do not load. Each gets one line on standard error naming the problem,
// and exit code 2 (see also cli_test.cpp).

#include "cli/cli_test_support.hpp"

#include <doctest/doctest.h>

#include <fstream>

using namespace streams::test;

namespace {

const std::string unresolved_app = UNRESOLVED_APP;
const std::string throwing_app = THROWING_APP;

/// A config for simple_map_filter that is valid (its brokers need not exist to validate).
std::string valid_config(const temp_directory& dir) {
  auto path = dir.file("deploy.yaml");
  std::ofstream(path) << "pipeline:\n  segments:\n    - steps_config:\n"
                         "        myinput: {bootstrap_servers: [\"127.0.0.1:1\"]}\n"
                         "        mysink: {bootstrap_servers: [\"127.0.0.1:1\"]}\n";
  return path;
}

/// Checks that `streams args...` exits 2 with exactly one line on stderr holding `text`.
void check_one_line(const std::vector<std::string>& args, const std::string& text) {
  auto r = run_cli(args);
  std::string cmd;
  for (auto& a : args)
    cmd += " " + a;
  INFO("streams" << cmd << "\nstderr:\n" << r.err);
  CHECK(r.code == 2);
  CHECK(count_lines(r.err) == 1);
  CHECK(r.err.find(text) != std::string::npos);
  CHECK(r.err.rfind("streams: ", 0) == 0);
}

} // namespace

TEST_SUITE("cli.usage_errors") {
  TEST_CASE("an unknown flag, anywhere, is named") {
    temp_directory dir;
    auto config = valid_config(dir);
    check_one_line({"--bogus"}, "--bogus");
    check_one_line({"validate", "--config", config, "--bogus", "simple_map_filter"}, "--bogus");
    check_one_line({"graph", "blq", "--colour"}, "--colour");
    check_one_line({"examples", "--all"}, "--all");
    check_one_line({"kafka-mock", "--partitions", "3"}, "--partitions");
    check_one_line({"nosuchcommand"}, "nosuchcommand");
  }

  TEST_CASE("a missing or wrong argument is named") {
    temp_directory dir;
    check_one_line({"validate", "simple_map_filter"}, "--config");
    check_one_line({"run", "--segment-id", "3", "--config", valid_config(dir), "simple_map_filter"},
                   "--segment-id 3: the config has 1 segment(s)");
    check_one_line({"run"}, "APP");
    check_one_line({"run", "--log-level", "loud", "simple_map_filter"}, "loud");
    check_one_line({"run", "simple_map_filter", "--state-dir"}, "--state-dir");
    check_one_line({"run", "--state-dir", "", "simple_map_filter"},
                   "--state-dir: expected a directory, found ''");
    check_one_line({}, "subcommand");
  }

  TEST_CASE("a config file that does not exist, or cannot be read") {
    for (std::string cmd : {"validate", "run"}) {
      CAPTURE(cmd);
      check_one_line({cmd, "--config", "/nonexistent/deploy.yaml", "simple_map_filter"},
                     "config file '/nonexistent/deploy.yaml' does not exist");
      temp_directory dir;
      check_one_line({cmd, "--config", dir.path(), "simple_map_filter"}, dir.path());
    }
  }

  TEST_CASE("an app library that does not exist, or does not load") {
    temp_directory dir;
    auto config = valid_config(dir);
    auto text = dir.file("not_a_library.so");
    std::ofstream(text) << "not an ELF file\n";
    for (std::string cmd : {"validate", "run"}) {
      CAPTURE(cmd);
      check_one_line({cmd, "--config", config, "/nonexistent/app.so"},
                     "cannot load app '/nonexistent/app.so'");
      check_one_line({cmd, "--config", config, text}, "cannot load app '" + text + "'");
      check_one_line({cmd, "--config", config, unresolved_app},
                     "streams_test_function_defined_nowhere");
      check_one_line({cmd, "--config", config, "/lib/x86_64-linux-gnu/libm.so.6"},
                     "exports no streams_app");
    }
  }

  TEST_CASE("an app whose function throws is named with the reason") {
    for (std::string cmd : {"graph", "validate", "run"}) {
      CAPTURE(cmd);
      temp_directory dir;
      std::vector<std::string> args{cmd};
      if (cmd != "graph")
        args.insert(args.end(), {"--config", valid_config(dir)});
      args.push_back(throwing_app);
      check_one_line(args, "the app's settings are missing");
      check_one_line(args, throwing_app);
    }
  }
}
