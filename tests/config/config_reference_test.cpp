// docs/config.md is generated from the table of keys (config_keys.cpp): this test fails when
// the two differ, and rewrites the document's generated part when run with
// STREAMS_UPDATE_DOCS=1. The document's complete example must load, too.

#include "streams/config/config_keys.hpp"

#include "streams/config/load_deployment_config.hpp"

#include "config/config_test_support.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

using namespace streams;
using namespace streams::config;
using namespace streams::test;

namespace {

const std::string begin_marker = "<!-- BEGIN GENERATED KEYS -->\n";
const std::string end_marker = "<!-- END GENERATED KEYS -->\n";

std::filesystem::path docs_path() { return fixture("../../docs/config.md"); }

std::string read_docs() {
  std::ifstream in(docs_path());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The text between the fenced block opened by "```yaml" right after `heading`.
std::string yaml_after(const std::string& docs, const std::string& heading) {
  auto h = docs.find(heading);
  REQUIRE(h != std::string::npos);
  auto start = docs.find("```yaml\n", h);
  REQUIRE(start != std::string::npos);
  start += 8;
  return docs.substr(start, docs.find("```", start) - start);
}

} // namespace

TEST_SUITE("config.config_reference") {
  TEST_CASE("the table declares each key once, with a default unless required") {
    std::set<std::pair<key_section, std::string_view>> seen;
    for (auto& k : config_keys()) {
      CAPTURE(k.name);
      CHECK(seen.insert({k.section, k.name}).second);
      CHECK(k.required == k.default_value.empty());
      CHECK_FALSE(k.type.empty());
      CHECK_FALSE(k.description.empty());
      CHECK(k.description.find('|') == std::string_view::npos); // breaks the Markdown table
    }
  }

  TEST_CASE("docs/config.md holds the generated reference of every key") {
    auto docs = read_docs();
    REQUIRE_MESSAGE(!docs.empty(), "cannot read " << docs_path());
    auto begin = docs.find(begin_marker);
    auto end = docs.find(end_marker);
    REQUIRE(begin != std::string::npos);
    REQUIRE(end != std::string::npos);
    begin += begin_marker.size();
    auto generated = config_reference_markdown();

    if (std::getenv("STREAMS_UPDATE_DOCS")) {
      std::ofstream(docs_path()) << docs.substr(0, begin) << generated << docs.substr(end);
      docs = read_docs();
      end = docs.find(end_marker);
    }
    auto documented = docs.substr(begin, end - begin);
    for (auto& k : config_keys()) {
      CAPTURE(k.name);
      CHECK(documented.find("| `" + std::string(k.name) + "` |") != std::string::npos);
    }
    CHECK_MESSAGE(documented == generated,
                  "docs/config.md is out of date: run this test with STREAMS_UPDATE_DOCS=1");
  }

  TEST_CASE("the complete example of docs/config.md loads") {
    auto p = example("simple_batching");
    auto yaml = yaml_after(read_docs(), "## A complete example");
    auto r = load_text(yaml, p->graph(), {{"KAFKA_BROKERS", "kafka-1:9092"}});
    INFO(all_errors(r));
    REQUIRE(r);
    auto& c = *r.config;
    CHECK(c.settings<kafka_source_settings>("myinput")->bootstrap_servers
          == std::vector<std::string>{"kafka-1:9092"});
    CHECK(c.settings<kafka_source_settings>("myinput")->dlq);
    CHECK(c.settings<batch_settings>("mybatch")->batch_timedelta == std::chrono::seconds(65));
    CHECK(c.settings<kafka_sink_settings>("mysink")->topic == "transformed-events");
    CHECK(std::holds_alternative<prometheus_metrics>(c.metrics));
    CHECK(c.write_healthcheck);
  }
}
