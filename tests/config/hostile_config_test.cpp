// A hostile or broken config is refused in bounded time and memory, with an error naming the
// limit it passed: aliases that double at each level ("billion laughs", also through
// environment variables), deep nesting, a huge or endless file, a directory.

#include "streams/config/load_deployment_config.hpp"

#include "config/config_test_support.hpp"
#include "support/child_process.hpp"

#include <doctest/doctest.h>

#include <fstream>

using namespace streams;
using namespace streams::config;
using namespace streams::test;

namespace {

/// An `env` section of `levels` anchors l0, l1, ... each a list of `width` aliases of the one
/// before; l0 holds `leaf`. Expands to width^levels copies of the leaf.
std::string laughs(int levels, int width, const std::string& leaf) {
  std::string yaml = "env:\n  l0: &l0 " + leaf + "\n";
  for (int i = 1; i <= levels; ++i) {
    yaml += "  l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int j = 0; j < width; ++j)
      yaml += (j ? ", *l" : "*l") + std::to_string(i - 1);
    yaml += "]\n";
  }
  return yaml;
}

/// Loading `yaml` into simple_map_filter is refused with one error holding every one of `parts`
/// (other errors of the file may come with it, not one per copy).
void check_refused(const std::string& yaml, const std::vector<std::string>& parts,
                   std::map<std::string, std::string> vars = {}) {
  auto p = example("simple_map_filter");
  auto r = load_text(yaml, p->graph(), std::move(vars));
  INFO(all_errors(r));
  CHECK_FALSE(r.config);
  std::vector<std::string> refusals;
  for (auto& e : r.errors)
    if (to_string(e).find("refused: ") != std::string::npos)
      refusals.push_back(to_string(e));
  REQUIRE(refusals.size() == 1);
  for (auto& part : parts)
    CHECK(refusals[0].find(part) != std::string::npos);
}

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i)
    out += s;
  return out;
}

} // namespace

TEST_SUITE("config.hostile") {
  TEST_CASE("aliases that expand past 100,000 nodes") {
    // 10^10 nodes once expanded; the error points at the anchor whose copies passed the limit
    check_refused(laughs(10, 10, "x"),
                  {"refused: the config is more than 100000 nodes once its aliases are expanded",
                   "docs/config.md", "line "});
  }

  TEST_CASE("aliases or environment variables that expand past 16 MiB of text") {
    // 4^7 = 16384 copies (well within the nodes allowed) of 2 KiB: 32 MiB
    check_refused(laughs(7, 4, std::string(2048, 'x')),
                  {"more than 16 MiB of text once its aliases are expanded"});
    check_refused(laughs(7, 4, "\"${envvar:BIG}\""),
                  {"more than 16 MiB of text once its environment variables are expanded"},
                  {{"BIG", std::string(2048, 'x')}});
    // within the limits, aliases and variables are expanded as written
    auto p = example("simple_map_filter");
    auto r = load_text(laughs(2, 2, "\"${envvar:SMALL}\"")
                           + "pipeline:\n  segments:\n    - steps_config:\n"
                             "        myinput: {bootstrap_servers: [\"a:9092\"]}\n"
                             "        mysink: {bootstrap_servers: [\"a:9092\"]}\n",
                       p->graph(), {{"SMALL", "s"}});
    INFO(all_errors(r));
    REQUIRE(r.config);
    CHECK(r.config->env.at("l2[1][0]") == "s");
  }

  TEST_CASE("nesting deeper than 100 levels, however it is written") {
    check_refused(repeat("[", 102) + repeat("]", 102), {"nested deeper than 100 levels", "line 1"});
    // so deep that yaml-cpp's own guard stops it first
    check_refused(repeat("[", 100000) + repeat("]", 100000), {"nested deeper than 100 levels"});
    check_refused(repeat("- ", 100000) + "x\n", {"nested deeper than 100 levels"});
    // aliases nest too: each anchor holds the one before
    std::string chain = "a0: &a0 [x]\n";
    for (int i = 1; i <= 150; ++i)
      chain += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [*a" + std::to_string(i - 1)
               + "]\n";
    check_refused(chain, {"nested deeper than 100 levels"});
  }

  TEST_CASE("a file larger than 1 MiB, an endless one, a directory") {
    auto p = example("simple_map_filter");
    temp_directory dir;
    auto big = dir.file("big.yaml");
    std::ofstream(big) << "# " << std::string((1 << 20) - 3, 'x') << "\n"; // exactly 1 MiB
    auto at_limit = load_deployment_config(big, p->graph());
    CHECK(find_error(at_limit, "", {"found an empty document"}));
    std::ofstream(big, std::ios::app) << "\n";
    auto past = load_deployment_config(big, p->graph());
    REQUIRE(past.errors.size() == 1);
    CHECK(to_string(past.errors[0])
          == "refused: the config is larger than 1 MiB; see \"Limits\" in docs/config.md (" + big
                 + ")");

    auto endless = load_deployment_config("/dev/zero", p->graph());
    REQUIRE(endless.errors.size() == 1);
    CHECK(find_error(endless, "", {"larger than 1 MiB", "(/dev/zero)"}));

    auto directory = load_deployment_config(dir.path(), p->graph());
    REQUIRE(directory.errors.size() == 1);
    CHECK(to_string(directory.errors[0])
          == "is a directory; expected a YAML file (" + dir.path() + ")");
  }
}
