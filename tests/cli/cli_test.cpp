// The `streams` binary as a user runs it: a real process, real signals, real files.

#include "cli/cli_test_support.hpp"

#include <doctest/doctest.h>

#include <filesystem>

#include <csignal>
#include <cstdint>
#include <optional>
#include <sstream>

using namespace streams::test;
using namespace std::chrono_literals;

namespace {

const std::string counting_app = COUNTING_APP;

} // namespace

TEST_CASE("--version and --help answer and exit 0") {
  auto v = run_cli({"--version"});
  CHECK(v.code == 0);
  CHECK(v.out.find("streams 0.") == 0);
  auto h = run_cli({"--help"});
  CHECK(h.code == 0);
  for (auto cmd : {"run", "graph", "examples"})
    CHECK(h.out.find(cmd) != std::string::npos);
  auto rh = run_cli({"run", "--help"});
  CHECK(rh.code == 0);
  CHECK(rh.out.find("--log-level") != std::string::npos);
  CHECK(rh.out.find("--state-dir DIR") != std::string::npos);
  for (auto cmd : {"validate", "graph", "examples", "kafka-mock"}) {
    CAPTURE(cmd);
    auto sh = run_cli({cmd, "--help"});
    CHECK(sh.code == 0);
    CHECK(sh.out.find(std::string("streams ") + cmd) != std::string::npos);
  }
}

TEST_CASE("bad usage gets one clear line and exit code 2") {
  auto unknown_flag = run_cli({"run", "--bogus", "simple_map_filter"});
  CHECK(unknown_flag.code == 2);
  CHECK(count_lines(unknown_flag.err) == 1);
  CHECK(unknown_flag.err.find("--bogus") != std::string::npos);

  auto unknown_app = run_cli({"graph", "no_such_app"});
  CHECK(unknown_app.code == 2);
  CHECK(count_lines(unknown_app.err) == 1);
  CHECK(unknown_app.err.find("unknown app 'no_such_app'") != std::string::npos);

  auto missing_lib = run_cli({"graph", "/nonexistent/app.so"});
  CHECK(missing_lib.code == 2);
  CHECK(missing_lib.err.find("cannot load app '/nonexistent/app.so'") != std::string::npos);

  auto not_an_app = run_cli({"graph", "/lib/x86_64-linux-gnu/libm.so.6"});
  CHECK(not_an_app.code == 2);
  CHECK(not_an_app.err.find("exports no streams_app") != std::string::npos);

  auto unbound = run_cli({"run", "simple_map_filter"});
  CHECK(unbound.code == 2);
  CHECK(unbound.err.find("step 'myinput'") != std::string::npos);
}

TEST_CASE("graph draws an example as text, dot and mermaid") {
  auto text = run_cli({"graph", "blq"});
  CHECK(text.code == 0);
  CHECK(text.out.find("blq_router [router]") != std::string::npos);
  CHECK(text.out.find("-> branch delayed:") != std::string::npos);
  auto dot = run_cli({"graph", "blq", "--format", "dot"});
  CHECK(dot.out.find("digraph \"blq\"") == 0);
  CHECK(dot.out.find("[label=\"delayed\"]") != std::string::npos);
  auto mermaid = run_cli({"graph", "broadcast", "--format", "mermaid"});
  CHECK(mermaid.out.find("flowchart LR") == 0);
  CHECK(mermaid.out.find("-->|goodbye|") != std::string::npos);
  CHECK(run_cli({"graph", "blq", "--format", "svg"}).code == 2);
}

namespace {

/// The count `streams run` logs at exit for a step: "step 'NAME': I in, O out, ...";
/// `which` is "in" or "out". Nothing when the line is missing.
std::optional<std::uint64_t> logged_count(const std::string& err, const std::string& step,
                                          const std::string& which) {
  auto at = err.find("step '" + step + "': ");
  if (at == std::string::npos)
    return std::nullopt;
  auto line = err.substr(at, err.find('\n', at) - at);
  std::istringstream in(line.substr(line.find(": ") + 2));
  std::uint64_t n_in = 0, n_out = 0;
  std::string word;
  in >> n_in >> word >> n_out;
  if (!in)
    return std::nullopt;
  return which == "in" ? n_in : n_out;
}

/// Checks that the output is 0..n-1 with no gap and no repeat, n being what the source
/// handed out: everything taken was written before the exit, nothing was lost in flight.
void check_everything_taken_was_written(const std::string& output, const std::string& err) {
  auto lines = read_lines(output);
  REQUIRE_FALSE(lines.empty());
  std::size_t first_wrong = 0;
  while (first_wrong < lines.size() && lines[first_wrong] == std::to_string(first_wrong))
    ++first_wrong;
  CHECK(first_wrong == lines.size());
  auto taken = logged_count(err, "numbers", "out");
  REQUIRE(taken.has_value());
  CHECK(*taken == lines.size());
  CHECK(logged_count(err, "lines", "out") == taken);
}

} // namespace

TEST_CASE("an app loaded from a shared library runs, and SIGTERM or SIGINT drains it cleanly") {
  for (int sig : {SIGTERM, SIGINT}) {
    CAPTURE(sig);
    temp_directory dir;
    auto output = dir.file("out.txt");
    // Paced (20 us a message, tens of thousands a second at most): unpaced, the file grows by
    // millions of lines a second, and reading it back dominates the test.
    child_process p({streams_bin, "run", counting_app}, dir.path(),
                    {{"STREAMS_TEST_OUTPUT", output}, {"STREAMS_TEST_DELAY_US", "20"}});
    // By size, not by reading lines: reading a file that grows faster than getline reads
    // never reaches its end.
    REQUIRE(eventually(
        [&] {
          std::error_code ec;
          return std::filesystem::file_size(output, ec) > 100'000 && !ec;
        },
        20s));
    p.signal(sig);
    auto code = p.wait(20s);
    REQUIRE(code.has_value());
    CHECK(*code == 0);
    INFO("stderr:\n" << p.err());
    CHECK(p.err().find("draining") != std::string::npos);
    check_everything_taken_was_written(output, p.err());
  }
}

TEST_CASE("SIGTERM with thousands of messages in flight: they are all written before the exit") {
  // The map takes 1 ms a message: at the signal, up to a credit's worth (2048) wait for it.
  temp_directory dir;
  auto output = dir.file("out.txt");
  child_process p({streams_bin, "run", counting_app}, dir.path(),
                  {{"STREAMS_TEST_OUTPUT", output}, {"STREAMS_TEST_DELAY_US", "1000"}});
  REQUIRE(eventually([&] { return has_lines(output, 101); }, 20s));
  p.signal(SIGTERM);
  REQUIRE(eventually([&] { return p.err().find("draining") != std::string::npos; }, 20s));
  auto at_drain = read_lines(output).size();
  auto code = p.wait(30s);
  REQUIRE(code.has_value());
  CHECK(*code == 0);
  INFO("stderr:\n" << p.err());
  check_everything_taken_was_written(output, p.err());
  // messages were in flight when the drain began, and were finished after it
  CHECK(read_lines(output).size() > at_drain + 100);
}

TEST_CASE("a second signal during the drain kills the process at once") {
  // 20 ms a message: the drain would take 40 s or more.
  temp_directory dir;
  auto output = dir.file("out.txt");
  child_process p({streams_bin, "run", counting_app}, dir.path(),
                  {{"STREAMS_TEST_OUTPUT", output}, {"STREAMS_TEST_DELAY_US", "20000"}});
  REQUIRE(eventually([&] { return has_lines(output, 6); }, 20s));
  p.signal(SIGTERM);
  REQUIRE(eventually([&] { return p.err().find("draining") != std::string::npos; }, 20s));
  auto start = std::chrono::steady_clock::now();
  p.signal(SIGTERM);
  auto code = p.wait(10s);
  REQUIRE(code.has_value());
  CHECK(*code == 128 + SIGTERM);
  CHECK(std::chrono::steady_clock::now() - start < 10s);
  CHECK(p.err().find("step 'numbers'") == std::string::npos); // it never finished the drain
}
