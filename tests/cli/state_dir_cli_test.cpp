// Where `streams run` keeps the state of stateful steps: `--state-dir`, else the config's
// `state_dir` (which may come from the environment), else `streams-state` in the working
// directory; the store itself is `<state dir>/<pipeline name>`. Run with the embedded broker, so
// that nothing outside the process is needed.

#include "cli/cli_test_support.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>

using namespace streams::test;
using namespace std::chrono_literals;

namespace {

/// Runs word_counter (a reduce step) in `cwd` with `state_line` added to its config and `args`
/// added to the command line, until its store appears at `store`; then stops it. Whether it
/// appeared.
bool store_appears(const temp_directory& cwd, const std::string& state_line,
                   const std::vector<std::string>& args, const std::string& store,
                   std::map<std::string, std::string> env = {}) {
  auto config = cwd.file("deploy.yaml");
  std::ofstream(config) << state_line
                        << "pipeline:\n  segments:\n    - steps_config:\n"
                           "        myinput: {bootstrap_servers: [embedded]}\n"
                           "        kafkasink: {bootstrap_servers: [embedded]}\n";
  // env -C: in `cwd` as its working directory (child_process keeps the test's)
  std::vector<std::string> argv{"env", "-C", cwd.path(), streams_bin, "run", "--config", config};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("word_counter");
  child_process run(argv, cwd.path(), std::move(env));
  INFO("streams stderr: " << run.err());
  // the store is opened before the pipeline runs, and SIGTERM is for a running pipeline
  CHECK(eventually([&] { return run.err().find("running") != std::string::npos; }, 20s));
  bool appeared = std::filesystem::exists(std::filesystem::path(store) / "data.mdb");
  CHECK(stop(run, SIGTERM) == 0);
  return appeared;
}

} // namespace

TEST_SUITE("cli.state_dir") {
  TEST_CASE("the store is in --state-dir, else the config's state_dir, else ./streams-state") {
    {
      temp_directory cwd;
      CHECK(store_appears(cwd, "", {}, cwd.file("streams-state/word_counter")));
    }
    {
      temp_directory cwd;
      CHECK(store_appears(cwd, "state_dir: " + cwd.file("from-config") + "\n", {},
                          cwd.file("from-config/word_counter")));
      CHECK_FALSE(std::filesystem::exists(cwd.file("streams-state")));
    }
    {
      temp_directory cwd;
      CHECK(store_appears(cwd, "state_dir: \"${envvar:STREAMS_TEST_STATE}\"\n", {},
                          cwd.file("from-env/word_counter"),
                          {{"STREAMS_TEST_STATE", cwd.file("from-env")}}));
    }
    {
      temp_directory cwd;
      // the flag wins over the config; a relative directory is the working directory's
      CHECK(store_appears(cwd, "state_dir: " + cwd.file("from-config") + "\n",
                          {"--state-dir", "from-flag"}, cwd.file("from-flag/word_counter")));
      CHECK_FALSE(std::filesystem::exists(cwd.file("from-config")));
      CHECK_FALSE(std::filesystem::exists(cwd.file("streams-state")));
    }
    {
      temp_directory cwd;
      // --name names the store too
      CHECK(store_appears(cwd, "", {"--state-dir", "s", "--name", "counts"}, cwd.file("s/counts")));
    }
  }

  TEST_CASE("state_dir \":memory:\" keeps the state in memory: no directory is made") {
    temp_directory cwd;
    auto config = cwd.file("deploy.yaml");
    std::ofstream(config) << "pipeline:\n  segments:\n    - steps_config:\n"
                             "        myinput: {bootstrap_servers: [embedded]}\n"
                             "        kafkasink: {bootstrap_servers: [embedded]}\n";
    child_process run({"env", "-C", cwd.path(), streams_bin, "run", "--config", config,
                       "--state-dir", ":memory:", "word_counter"},
                      cwd.path());
    INFO("streams stderr: " << run.err());
    REQUIRE(eventually([&] { return run.err().find("running") != std::string::npos; }, 20s));
    CHECK(stop(run, SIGTERM) == 0);
    // the config and the logs, nothing else
    for (auto& entry : std::filesystem::directory_iterator(cwd.path()))
      CHECK_FALSE(entry.is_directory());
  }
}
