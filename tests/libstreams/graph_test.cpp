#include "streams/graph.hpp"

#include "streams/error.hpp"
#include "streams/json.hpp"
#include "streams/payload_type_name.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace streams;

namespace {

step_node node(std::string name, step_kind kind, payload_type in, payload_type out,
               std::vector<std::string> ports = {""}) {
  step_node n;
  n.name = std::move(name);
  n.kind = kind;
  n.input = std::move(in);
  n.output = std::move(out);
  n.ports = kind == step_kind::sink ? std::vector<std::string>{} : std::move(ports);
  return n;
}

step_node source_node(std::string name, payload_type out) {
  return node(std::move(name), step_kind::source, payload_type_of<void>(), std::move(out));
}

step_node sink_node(std::string name, payload_type in) {
  return node(std::move(name), step_kind::sink, std::move(in), payload_type_of<void>());
}

bool has_problem(const graph& g, std::vector<std::string> parts) {
  for (auto& p : g.problems()) {
    bool all = true;
    for (auto& part : parts)
      all = all && p.find(part) != std::string::npos;
    if (all)
      return true;
  }
  return false;
}

std::string all_problems(const graph& g) {
  std::string out;
  for (auto& p : g.problems())
    out += p + "\n";
  return out;
}

} // namespace

TEST_SUITE("graph") {

  TEST_CASE("a linear graph with matching types has no problems") {
    graph g("ok");
    auto src = g.add(source_node("in", payload_type_of<bytes>()));
    auto parse =
        g.add(node("parse", step_kind::parser, payload_type_of<bytes>(), payload_type_of<json>()));
    auto out = g.add(sink_node("out", payload_type_of<json>()));
    g.connect(src, 0, parse);
    g.connect(parse, 0, out);
    CHECK(g.problems().empty());
    CHECK_NOTHROW(g.validate());
    CHECK(g.sources() == std::vector<std::size_t>{src});
    CHECK(g.sinks() == std::vector<std::size_t>{out});
    CHECK(g.find("parse") == parse);
    CHECK_FALSE(g.find("nope").has_value());
    REQUIRE(g.input(parse).has_value());
    CHECK(g.input(parse)->from == src);
    CHECK_FALSE(g.input(src).has_value());
  }

  TEST_CASE("a type mismatch names both steps and both types") {
    graph g("mismatch");
    auto src = g.add(source_node("raw", payload_type_of<bytes>()));
    auto count = g.add(
        node("count", step_kind::map, payload_type_of<json>(), payload_type_of<std::int64_t>()));
    auto out = g.add(sink_node("out", payload_type_of<std::int64_t>()));
    g.connect(src, 0, count);
    g.connect(count, 0, out);
    INFO(all_problems(g));
    REQUIRE(g.problems().size() == 1);
    CHECK(has_problem(g, {"'raw'", "'count'", "bytes", "json"}));
    CHECK_THROWS_AS(g.validate(), pipeline_error);
  }

  TEST_CASE("a type mismatch into a sink is found too") {
    graph g("mismatch");
    auto src = g.add(source_node("raw", payload_type_of<bytes>()));
    auto out = g.add(sink_node("docs", payload_type_of<std::vector<json>>()));
    g.connect(src, 0, out);
    INFO(all_problems(g));
    CHECK(has_problem(g, {"'raw'", "'docs'", "bytes", "list<json>"}));
  }

  TEST_CASE("a graph without a source names the pipeline") {
    graph g("headless");
    g.add(sink_node("out", payload_type_of<bytes>()));
    INFO(all_problems(g));
    CHECK(has_problem(g, {"'headless'", "no source"}));
  }

  TEST_CASE("a step feeding a source is a problem") {
    graph g("loop");
    auto a = g.add(source_node("a", payload_type_of<bytes>()));
    auto b = g.add(source_node("b", payload_type_of<bytes>()));
    auto out = g.add(sink_node("out", payload_type_of<bytes>()));
    g.connect(a, 0, b);
    g.connect(b, 0, out);
    INFO(all_problems(g));
    CHECK(has_problem(g, {"'a'", "'b'", "source"}));
  }

  TEST_CASE("duplicate and empty step names are problems") {
    graph g("names");
    auto src = g.add(source_node("same", payload_type_of<bytes>()));
    auto m =
        g.add(node("same", step_kind::map, payload_type_of<bytes>(), payload_type_of<bytes>()));
    auto f = g.add(node("", step_kind::filter, payload_type_of<bytes>(), payload_type_of<bytes>()));
    auto out = g.add(sink_node("out", payload_type_of<bytes>()));
    g.connect(src, 0, m);
    g.connect(m, 0, f);
    g.connect(f, 0, out);
    INFO(all_problems(g));
    CHECK(g.problems().size() == 2);
    CHECK(has_problem(g, {"'same'", "more than once"}));
    CHECK(has_problem(g, {"filter", "empty name"}));
  }

  TEST_CASE("an output port connected to two steps is a problem naming all three") {
    graph g("fanout");
    auto src = g.add(source_node("in", payload_type_of<bytes>()));
    auto a = g.add(sink_node("a", payload_type_of<bytes>()));
    auto b = g.add(sink_node("b", payload_type_of<bytes>()));
    g.connect(src, 0, a);
    g.connect(src, 0, b);
    INFO(all_problems(g));
    REQUIRE(g.problems().size() == 1);
    CHECK(has_problem(g, {"'in'", "'a'", "'b'", "broadcast"}));
  }

  TEST_CASE("a router branch without a sink names the branch and the router") {
    graph g("branches");
    auto src = g.add(source_node("in", payload_type_of<bytes>()));
    auto r = g.add(node("route", step_kind::router, payload_type_of<bytes>(),
                        payload_type_of<bytes>(), {"left", "right"}));
    auto out = g.add(sink_node("out", payload_type_of<bytes>()));
    g.connect(src, 0, r);
    g.connect(r, 0, out);
    INFO(all_problems(g));
    REQUIRE(g.problems().size() == 1);
    CHECK(has_problem(g, {"'right'", "'route'", "sink"}));
  }

  TEST_CASE("a router or broadcast without branches is a problem") {
    graph g("empty");
    auto src = g.add(source_node("in", payload_type_of<bytes>()));
    auto r =
        g.add(node("r", step_kind::router, payload_type_of<bytes>(), payload_type_of<bytes>(), {}));
    auto b = g.add(
        node("b", step_kind::broadcast, payload_type_of<bytes>(), payload_type_of<bytes>(), {}));
    g.connect(src, 0, r);
    (void)b;
    INFO(all_problems(g));
    CHECK(has_problem(g, {"router", "'r'", "no branches"}));
    CHECK(has_problem(g, {"broadcast", "'b'", "no branches"}));
  }

  TEST_CASE("a branch named twice is a problem") {
    graph g("twice");
    auto src = g.add(source_node("in", payload_type_of<bytes>()));
    auto r = g.add(node("copy", step_kind::broadcast, payload_type_of<bytes>(),
                        payload_type_of<bytes>(), {"x", "x"}));
    auto a = g.add(sink_node("a", payload_type_of<bytes>()));
    auto b = g.add(sink_node("b", payload_type_of<bytes>()));
    g.connect(src, 0, r);
    g.connect(r, 0, a);
    g.connect(r, 1, b);
    INFO(all_problems(g));
    REQUIRE(g.problems().size() == 1);
    CHECK(has_problem(g, {"'copy'", "'x'", "twice"}));
  }

  TEST_CASE("validate throws pipeline_error listing every problem") {
    graph g("bad");
    auto m = g.add(node("m", step_kind::map, payload_type_of<bytes>(), payload_type_of<bytes>()));
    (void)m;
    auto expected = g.problems();
    REQUIRE(expected.size() == 3); // no source; 'm' has no input and ends nowhere
    try {
      g.validate();
      FAIL("expected pipeline_error");
    } catch (const pipeline_error& e) {
      CHECK(e.problems() == expected);
      std::string what = e.what();
      for (auto& p : expected)
        CHECK(what.find(p) != std::string::npos);
    }
  }

  TEST_CASE("outputs are ordered by port") {
    graph g("ports");
    auto src = g.add(source_node("in", payload_type_of<bytes>()));
    auto r = g.add(node("r", step_kind::broadcast, payload_type_of<bytes>(),
                        payload_type_of<bytes>(), {"p0", "p1", "p2"}));
    auto s0 = g.add(sink_node("s0", payload_type_of<bytes>()));
    auto s1 = g.add(sink_node("s1", payload_type_of<bytes>()));
    auto s2 = g.add(sink_node("s2", payload_type_of<bytes>()));
    g.connect(src, 0, r);
    g.connect(r, 2, s2);
    g.connect(r, 0, s0);
    g.connect(r, 1, s1);
    auto outs = g.outputs(r);
    REQUIRE(outs.size() == 3);
    CHECK(outs[0].to == s0);
    CHECK(outs[1].to == s1);
    CHECK(outs[2].to == s2);
    CHECK(g.problems().empty());
  }

  TEST_CASE("step kinds have names") {
    CHECK(to_string(step_kind::source) == "source");
    CHECK(to_string(step_kind::header_filter) == "header_filter");
    CHECK(to_string(step_kind::flat_map) == "flat_map");
    CHECK(to_string(step_kind::broadcast) == "broadcast");
    CHECK(to_string(step_kind::sink) == "sink");
  }

} // TEST_SUITE

TEST_SUITE("graph") {
  TEST_CASE("raw graphs: a step fed twice, a step without input and a cycle are reported") {
    graph g("raw");
    auto src =
        g.add(node("src", step_kind::source, payload_type_of<void>(), payload_type_of<bytes>()));
    auto a = g.add(node("a", step_kind::map, payload_type_of<bytes>(), payload_type_of<bytes>()));
    auto b = g.add(node("b", step_kind::map, payload_type_of<bytes>(), payload_type_of<bytes>()));
    auto orphan = g.add(sink_node("orphan", payload_type_of<bytes>()));
    (void)orphan;
    g.connect(src, 0, a);
    g.connect(a, 0, b);
    g.connect(b, 0, a); // a cycle: 'a' has two inputs
    INFO(all_problems(g));
    CHECK(has_problem(g, {"'a'", "2 inputs"}));
    CHECK(has_problem(g, {"'orphan'", "no input"}));
    CHECK(g.to_text().find("a (again)") != std::string::npos); // terminates
    CHECK_THROWS_AS(g.connect(src, 0, 99), std::out_of_range);
  }
}
