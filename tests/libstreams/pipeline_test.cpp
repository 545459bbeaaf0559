#include "streams/pipeline.hpp"

#include "streams/sinks/devnull_sink.hpp"
#include "streams/sinks/stream_sinks.hpp"
#include "streams/sources/memory_source.hpp"

#include "libstreams/support/collecting_emitter.hpp"
#include "libstreams/support/messages.hpp"

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

using namespace streams;
using streams::test::collecting_emitter;

namespace {

bool has_problem(const pipeline& p, std::vector<std::string> parts) {
  for (auto& line : p.graph().problems()) {
    bool all = true;
    for (auto& part : parts)
      all = all && line.find(part) != std::string::npos;
    if (all)
      return true;
  }
  return false;
}

std::string all_problems(const pipeline& p) {
  std::string out;
  for (auto& line : p.graph().problems())
    out += line + "\n";
  return out;
}

std::string route_by_prefix(const json& j) {
  return std::string(j.get_string("type").value_or(""));
}

/// A pipeline using every kind of step, correctly built.
void build_everything(pipeline& p) {
  auto routed =
      p.source("in", sources::memory<bytes>({R"({"type":"error"})", R"({"type":"event"})"}))
          .filter_header("org", "org_id", 1)
          .parse_json("parse")
          .route("by_type", {"error", "event"}, route_by_prefix);
  routed.branch("error").serialize_json("error_text").sink("errors", sinks::devnull());
  auto copies = routed.branch("event").broadcast("copy", {"archive", "live"});
  copies.branch("archive")
      .batch("batch", 10, std::chrono::milliseconds(500))
      .serialize_json("archive_text")
      .sink("archive_out", sinks::devnull());
  copies.branch("live")
      .map("size", [](const json& j) { return j.dump().size(); })
      .filter("big", [](std::size_t n) { return n > 3; })
      .flat_map("digits", [](std::size_t n) { return std::vector<bytes>(n % 3, "d"); })
      .sink("live_out", sinks::devnull());
}

struct line {
  int indent;
  std::string text;
};

std::vector<line> lines_of(const std::string& text) {
  std::vector<line> out;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) {
    auto first = l.find_first_not_of(' ');
    out.push_back(
        {static_cast<int>(first == std::string::npos ? l.size() : first), l.substr(first)});
  }
  return out;
}

/// The index of the line describing step `name`, which starts with its name and a space.
std::size_t line_of(const std::vector<line>& lines, const std::string& name) {
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (lines[i].text.rfind(name + " [", 0) == 0)
      return i;
  return lines.size();
}

} // namespace

TEST_SUITE("pipeline") {

  TEST_CASE("a correctly built pipeline has no problems") {
    pipeline p("everything");
    build_everything(p);
    INFO(all_problems(p));
    CHECK(p.graph().problems().empty());
    CHECK_NOTHROW(p.validate());
    CHECK(p.graph().steps().size() == 14);
    CHECK(p.graph().sources().size() == 1);
    CHECK(p.graph().sinks().size() == 3);
  }

  TEST_CASE("the builder records kinds and payload types") {
    pipeline p("types");
    p.source("in", sources::memory<bytes>({}))
        .parse_json("parse")
        .batch("batch", 2, std::chrono::milliseconds(10))
        .serialize_json("text")
        .sink("out", sinks::devnull());
    auto& g = p.graph();
    auto step = [&](const char* name) -> const step_node& { return g.step(*g.find(name)); };
    CHECK(step("in").kind == step_kind::source);
    CHECK(step("in").output == payload_type_of<bytes>());
    CHECK(step("parse").kind == step_kind::parser);
    CHECK(step("parse").output.name == "json");
    CHECK(step("batch").kind == step_kind::batch);
    CHECK(step("batch").output.name == "list<json>");
    CHECK(step("batch").detail.find("2 messages") != std::string::npos);
    CHECK(step("text").input == payload_type_of<std::vector<json>>());
    CHECK(step("out").kind == step_kind::sink);
    CHECK(step("out").ports.empty());
    CHECK(g.problems().empty());
  }

  TEST_CASE("an empty pipeline has no source") {
    pipeline p("nothing");
    INFO(all_problems(p));
    CHECK(has_problem(p, {"'nothing'", "no source"}));
    CHECK_THROWS_AS(p.validate(), pipeline_error);
  }

  TEST_CASE("duplicate step names are named") {
    pipeline p("dups");
    p.source("in", sources::memory<bytes>({}))
        .map("step", [](const bytes& b) { return b; })
        .map("step", [](const bytes& b) { return b; })
        .sink("out", sinks::devnull());
    INFO(all_problems(p));
    REQUIRE(p.graph().problems().size() == 1);
    CHECK(has_problem(p, {"'step'", "more than once"}));
  }

  TEST_CASE("a stream that does not end in a sink is named") {
    pipeline p("open");
    p.source("in", sources::memory<bytes>({})).map("upper", [](const bytes& b) { return b; });
    INFO(all_problems(p));
    REQUIRE(p.graph().problems().size() == 1);
    CHECK(has_problem(p, {"'upper'", "does not end in a sink"}));
  }

  TEST_CASE("a source with nothing after it does not end in a sink") {
    pipeline p("bare");
    p.source("in", sources::memory<bytes>({}));
    INFO(all_problems(p));
    CHECK(has_problem(p, {"'in'", "does not end in a sink"}));
  }

  TEST_CASE("a router branch that is never built is named with its router") {
    pipeline p("half");
    auto r = p.source("in", sources::memory<bytes>({})).route("r", {"a", "b"}, [](const bytes& s) {
      return s;
    });
    r.branch("a").sink("a_out", sinks::devnull());
    INFO(all_problems(p));
    REQUIRE(p.graph().problems().size() == 1);
    CHECK(has_problem(p, {"'b'", "'r'", "does not end in a sink"}));
  }

  TEST_CASE("a broadcast branch that stops before its sink is named") {
    pipeline p("half");
    auto b = p.source("in", sources::memory<bytes>({})).broadcast("copy", {"x", "y"});
    b.branch("x").sink("x_out", sinks::devnull());
    b.branch("y").filter("keep", [](const bytes&) { return true; });
    INFO(all_problems(p));
    REQUIRE(p.graph().problems().size() == 1);
    CHECK(has_problem(p, {"'keep'", "does not end in a sink"}));
  }

  TEST_CASE("a stream continued twice is an implicit fan-out naming every step") {
    pipeline p("fanout");
    auto s = p.source("in", sources::memory<bytes>({}));
    s.sink("first", sinks::devnull());
    s.map("second", [](const bytes& b) { return b; }).sink("second_out", sinks::devnull());
    INFO(all_problems(p));
    REQUIRE(p.graph().problems().size() == 1);
    CHECK(has_problem(p, {"'in'", "'first'", "'second'", "more than one step"}));
  }

  TEST_CASE("a branch built twice is a fan-out of that branch") {
    pipeline p("fanout");
    auto r = p.source("in", sources::memory<bytes>({})).route("r", {"a"}, [](const bytes&) {
      return "a";
    });
    r.branch("a").sink("one", sinks::devnull());
    r.branch("a").sink("two", sinks::devnull());
    INFO(all_problems(p));
    REQUIRE(p.graph().problems().size() == 1);
    CHECK(has_problem(p, {"'a'", "'r'", "'one'", "'two'"}));
  }

  TEST_CASE("asking for a branch that does not exist throws pipeline_error naming it") {
    pipeline p("unknown");
    auto r = p.source("in", sources::memory<bytes>({})).route("r", {"a", "b"}, [](const bytes&) {
      return "a";
    });
    try {
      r.branch("c");
      FAIL("expected pipeline_error");
    } catch (const pipeline_error& e) {
      REQUIRE(e.problems().size() == 1);
      CHECK(e.problems()[0].find("'r'") != std::string::npos);
      CHECK(e.problems()[0].find("'c'") != std::string::npos);
    }
    auto b = p.source("in2", sources::memory<bytes>({})).broadcast("copy", {"x"});
    CHECK_THROWS_AS(b.branch("y"), pipeline_error);
    CHECK_NOTHROW(b.branch("x"));
  }

  TEST_CASE("a router without branches is named") {
    pipeline p("nobranches");
    p.source("in", sources::memory<bytes>({})).route("r", {}, [](const bytes&) { return "a"; });
    INFO(all_problems(p));
    CHECK(has_problem(p, {"router", "'r'", "no branches"}));
    CHECK_THROWS_AS(p.validate(), pipeline_error);
  }

  TEST_CASE("every problem is reported at once") {
    pipeline p("many");
    auto s = p.source("in", sources::memory<bytes>({}));
    s.map("x", [](const bytes& b) { return b; }).sink("x", sinks::devnull());
    s.filter("open", [](const bytes&) { return true; });
    INFO(all_problems(p));
    CHECK(has_problem(p, {"'x'", "more than once"}));
    CHECK(has_problem(p, {"'open'", "does not end in a sink"}));
    CHECK(has_problem(p, {"'in'", "more than one step"}));
    try {
      p.validate();
      FAIL("expected pipeline_error");
    } catch (const pipeline_error& e) {
      CHECK(e.problems().size() == p.graph().problems().size());
    }
  }

  TEST_CASE("to_text lists every step in order with branches indented under their step") {
    pipeline p("everything");
    build_everything(p);
    auto text = p.to_text();
    INFO(text);
    auto lines = lines_of(text);
    REQUIRE_FALSE(lines.empty());
    CHECK(lines[0].text == "pipeline everything");

    // Depth first, in the order the steps follow each other.
    const std::vector<std::string> order{"in",     "org",  "parse",  "by_type",      "error_text",
                                         "errors", "copy", "batch",  "archive_text", "archive_out",
                                         "size",   "big",  "digits", "live_out"};
    std::size_t previous = 0;
    for (auto& name : order) {
      CAPTURE(name);
      auto i = line_of(lines, name);
      REQUIRE(i < lines.size());
      CHECK(i > previous);
      previous = i;
    }
    // Each step appears once.
    CHECK(lines.size() == 1 + order.size() + 4); // plus one line per branch: 2 + 2

    auto indent = [&](const std::string& name) { return lines[line_of(lines, name)].indent; };
    // A linear chain stays at one level.
    CHECK(indent("org") == indent("in"));
    CHECK(indent("parse") == indent("in"));
    CHECK(indent("by_type") == indent("in"));
    // Branches are indented under their router, and their steps deeper still.
    CHECK(indent("error_text") > indent("by_type"));
    CHECK(indent("errors") == indent("error_text"));
    CHECK(indent("copy") == indent("error_text"));
    CHECK(indent("batch") > indent("copy"));
    CHECK(indent("size") == indent("batch"));
    CHECK(indent("live_out") == indent("size"));

    // The branch headers sit between their step and the branch's first step.
    auto header = [&](const std::string& branch) {
      for (std::size_t i = 0; i < lines.size(); ++i)
        if (lines[i].text.find("branch " + branch) != std::string::npos)
          return i;
      return lines.size();
    };
    CHECK(header("error") == line_of(lines, "error_text") - 1);
    CHECK(header("event") == line_of(lines, "copy") - 1);
    CHECK(header("archive") == line_of(lines, "batch") - 1);
    CHECK(header("live") == line_of(lines, "size") - 1);
    CHECK(lines[header("live")].indent > indent("copy"));
    CHECK(lines[header("live")].indent < indent("size"));

    // Kinds and details are shown.
    CHECK(lines[line_of(lines, "by_type")].text.find("router") != std::string::npos);
    CHECK(lines[line_of(lines, "copy")].text.find("broadcast") != std::string::npos);
    CHECK(lines[line_of(lines, "org")].text.find("org_id == 1") != std::string::npos);
  }

  TEST_CASE("operators made by the builder call the user functions") {
    pipeline p("ops");
    p.source("in", sources::memory<bytes>({}))
        .map("tagged", [](const bytes& b, const message& m) { return b + "@" + m.schema(); })
        .filter("short", [](const bytes& b) { return b.size() < 10; })
        .flat_map("twice",
                  [](const bytes& b) {
                    return std::vector<bytes>{b, b};
                  })
        .route("by_len", {"one", "other"},
               [](const bytes& b) { return b.size() == 1 ? "one" : "other"; })
        .branch("one")
        .sink("out", sinks::devnull());
    auto op = [&](const char* name) {
      return p.graph().step(*p.graph().find(name)).make_operator();
    };

    auto m = test::sourced(bytes("x"), 0);
    m.set_schema("s");
    collecting_emitter out;
    op("tagged")->process(m, out);
    REQUIRE(out.out.size() == 1);
    CHECK(out.out[0].msg.payload<bytes>() == "x@s");

    auto long_one = test::sourced(bytes("0123456789"), 1);
    collecting_emitter filtered;
    op("short")->process(long_one, filtered);
    CHECK(filtered.out.empty());
    CHECK(filtered.dropped.size() == 1);

    auto two = test::sourced(bytes("ab"), 2);
    collecting_emitter doubled;
    op("twice")->process(two, doubled);
    CHECK(doubled.out.size() == 2);

    auto routed = test::sourced(bytes("ab"), 3);
    collecting_emitter routes;
    op("by_len")->process(routed, routes);
    REQUIRE(routes.out.size() == 1);
    CHECK(routes.out[0].port == 1);
  }

  TEST_CASE("each call of a factory makes an independent operator") {
    pipeline p("fresh");
    p.source("in", sources::memory<bytes>({}))
        .batch("b", 2, std::chrono::milliseconds(1000))
        .sink("out", sinks::devnull<std::vector<bytes>>());
    auto& node = p.graph().step(*p.graph().find("b"));
    auto first = node.make_operator();
    auto second = node.make_operator();
    collecting_emitter out;
    auto a = test::sourced(bytes("a"), 0);
    auto b = test::sourced(bytes("b"), 1);
    first->process(a, out);
    second->process(b, out);
    CHECK(out.out.empty()); // neither instance saw two messages
  }

} // TEST_SUITE
