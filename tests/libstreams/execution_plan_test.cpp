#include "streams/execution_plan.hpp"

#include "streams/error.hpp"
#include "streams/pipeline.hpp"
#include "streams/sinks/devnull_sink.hpp"
#include "streams/sources/memory_source.hpp"
#include "streams/windows/accumulator.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace streams;

namespace {

/// in -> parse -> (by_word: reduce keyed by the message's key) -> text -> out, plus a
/// broadcast branch after parse to a second sink.
struct word_pipeline {
  pipeline p{"words"};

  word_pipeline() {
    auto copies = p.source("in", sources::memory<bytes>({"a", "b"}))
                      .map("parse", [](const bytes& b) { return b; })
                      .broadcast("copy", {"count", "raw"});
    copies.branch("count")
        .reduce<accumulators::count<bytes>>("by_word", windows::count(2),
                                            [](const bytes& b) { return b; })
        .map("text", [](const windowed<std::uint64_t>& w) { return w.key; })
        .sink("out", sinks::devnull());
    copies.branch("raw").sink("raw_out", sinks::devnull());
  }

  std::size_t step(const std::string& name) const { return *p.graph().find(name); }
  void set_parallelism(const std::string& name, std::size_t n) {
    p.graph().step(step(name)).parallelism = n;
  }
};

std::vector<std::string> nodes_of(const execution_plan& plan, std::size_t step) {
  std::vector<std::string> out;
  for (auto n : plan.instances_of(step))
    out.push_back(plan.instances()[n].node);
  return out;
}

} // namespace

TEST_SUITE("execution_plan") {
  TEST_CASE("one instance per step in this process, acks to the source and the stateful step") {
    word_pipeline w;
    execution_plan plan(w.p.graph());
    CHECK(plan.instances().size() == w.p.graph().steps().size());
    CHECK(plan.segment_count() == 1);
    CHECK(plan.nodes().empty());
    for (auto& i : plan.instances()) {
      CHECK(i.node.empty());
      CHECK(i.segment == 0);
      CHECK(i.replica == 0);
    }
    // Sources first: a source's ack index is its index among the sources.
    REQUIRE(plan.ack_targets().size() == 2);
    CHECK(plan.instances()[plan.ack_targets()[0]].step == w.step("in"));
    CHECK(plan.instances()[plan.ack_targets()[1]].step == w.step("by_word"));
    CHECK(plan.instances()[plan.ack_targets()[1]].ack_index == 1u);
    CHECK_FALSE(plan.instances()[plan.instances_of(w.step("parse"))[0]].ack_index);
  }

  TEST_CASE("parallelism makes instances of transforms only, keyed steps are fed by key") {
    word_pipeline w;
    w.set_parallelism("parse", 3);
    w.set_parallelism("by_word", 2);
    w.set_parallelism("out", 4); // sinks run one instance whatever they say
    execution_plan plan(w.p.graph());
    CHECK(plan.instances_of(w.step("in")).size() == 1);
    CHECK(plan.instances_of(w.step("parse")).size() == 3);
    CHECK(plan.instances_of(w.step("by_word")).size() == 2);
    CHECK(plan.instances_of(w.step("out")).size() == 1);
    auto replicas = plan.instances_of(w.step("parse"));
    for (std::size_t k = 0; k < replicas.size(); ++k)
      CHECK(plan.instances()[replicas[k]].replica == k);
    // every stateful instance takes acks
    CHECK(plan.ack_targets().size() == 3);

    auto& g = w.p.graph();
    CHECK(plan.spread_of(*g.input(w.step("parse"))) == spread::by_partition);
    CHECK(plan.spread_of(*g.input(w.step("by_word"))) == spread::by_key);
    CHECK(plan.spread_of(*g.input(w.step("text"))) == spread::one);
  }

  TEST_CASE("a stateful instance closes to every source and the stateful steps upstream") {
    pipeline p("chain");
    p.source("in", sources::memory<bytes>({"a"}))
        .reduce<accumulators::count<bytes>>("first", windows::count(2),
                                            [](const bytes& b) { return b; })
        .map("key", [](const windowed<std::uint64_t>& w) { return bytes(w.key); })
        .reduce<accumulators::count<bytes>>("second", windows::count(2),
                                            [](const bytes& b) { return b; })
        .map("text", [](const windowed<std::uint64_t>& w) { return w.key; })
        .sink("out", sinks::devnull());
    p.source("other", sources::memory<bytes>({"b"})).sink("other_out", sinks::devnull());
    p.graph().step(*p.graph().find("second")).parallelism = 2;
    execution_plan plan(p.graph());
    auto ack_of = [&](const std::string& step, std::size_t replica = 0) {
      return *plan.instances()[plan.instances_of(*p.graph().find(step))[replica]].ack_index;
    };
    auto in = ack_of("in"), other = ack_of("other"), first = ack_of("first");
    CHECK(plan.closes_to(plan.instances_of(*p.graph().find("first"))[0])
          == std::vector<std::uint32_t>{in, other});
    for (std::size_t r = 0; r < 2; ++r)
      CHECK(plan.closes_to(plan.instances_of(*p.graph().find("second"))[r])
            == std::vector<std::uint32_t>{in, other, first});
  }

  TEST_CASE("segments run from the step that starts them, replicated on their nodes") {
    word_pipeline w;
    w.set_parallelism("by_word", 2);
    placement where;
    where.segment_of = {{"in", 0}, {"by_word", 1}};
    where.nodes = {{"a"}, {"b", "c"}};
    execution_plan plan(w.p.graph(), where);
    CHECK(plan.segment_count() == 2);
    CHECK(plan.nodes() == std::vector<std::string>{"a", "b", "c"});
    // Before by_word, and the branch that does not pass it: segment 0, on a.
    for (auto name : {"in", "parse", "copy", "raw_out"}) {
      CAPTURE(name);
      CHECK(nodes_of(plan, w.step(name)) == std::vector<std::string>{"a"});
      CHECK(plan.instances()[plan.instances_of(w.step(name))[0]].segment == 0);
    }
    // by_word and what follows it: segment 1, on b and c; a transform runs its parallelism
    // on each node.
    CHECK(nodes_of(plan, w.step("by_word")) == std::vector<std::string>{"b", "b", "c", "c"});
    CHECK(nodes_of(plan, w.step("text")) == std::vector<std::string>{"b", "c"});
    CHECK(nodes_of(plan, w.step("out")) == std::vector<std::string>{"b", "c"});
    CHECK(plan.instances()[plan.instances_of(w.step("out"))[1]].segment == 1);
    CHECK(plan.spread_of(*w.p.graph().input(w.step("text"))) == spread::by_partition);
  }

  TEST_CASE("inside a segment instances feed their own node, into another, every node") {
    word_pipeline w;
    w.set_parallelism("parse", 2);
    placement where;
    where.segment_of = {{"in", 0}, {"by_word", 1}};
    where.nodes = {{"a", "b"}, {"c", "d"}};
    execution_plan plan(w.p.graph(), where);
    auto& g = w.p.graph();
    auto into_parse = *g.input(w.step("parse"));
    auto into_count = *g.input(w.step("by_word"));
    auto into_text = *g.input(w.step("text"));
    auto node_of = [&](std::size_t n) { return plan.instances()[n].node; };

    // The source on node b feeds the two parse instances on b, and each of them waits for
    // that one source only.
    auto source_b = plan.instances_of(w.step("in"))[1];
    auto parse_targets = plan.targets(source_b, into_parse);
    REQUIRE(parse_targets.size() == 2);
    for (auto t : parse_targets) {
      CHECK(node_of(t) == "b");
      CHECK(plan.feeders(t, into_parse) == 1);
    }
    CHECK_FALSE(plan.crosses_nodes(into_parse));

    // copy (segment 0, on a and b) feeds by_word (segment 1) on c and d: every instance,
    // and each by_word instance waits for both copies.
    auto copy_a = plan.instances_of(w.step("copy"))[0];
    auto count_targets = plan.targets(copy_a, into_count);
    CHECK(count_targets == plan.instances_of(w.step("by_word")));
    CHECK(plan.feeders(count_targets[0], into_count) == 2);
    CHECK(plan.crosses_nodes(into_count));
    CHECK_FALSE(plan.crosses_nodes(into_text));
  }

  TEST_CASE("inside a segment a step grouped by key is fed by key from every node") {
    // Were copy on node a to feed only by_word on a, a key's messages would reach the
    // instance of the partition they came from, not the one that owns (and restores) the key.
    word_pipeline w;
    placement where;
    where.segment_of = {{"in", 0}};
    where.nodes = {{"a", "b"}};
    execution_plan plan(w.p.graph(), where);
    auto& g = w.p.graph();
    auto into_count = *g.input(w.step("by_word"));
    auto into_text = *g.input(w.step("text"));
    auto copy_a = plan.instances_of(w.step("copy"))[0];
    auto counts = plan.instances_of(w.step("by_word"));
    CHECK(nodes_of(plan, w.step("by_word")) == std::vector<std::string>{"a", "b"});
    CHECK(plan.targets(copy_a, into_count) == counts);
    CHECK(plan.spread_of(into_count) == spread::by_key);
    CHECK(plan.feeders(counts[1], into_count) == 2);
    CHECK(plan.crosses_nodes(into_count));
    // After it, its node's own instances again.
    auto text_targets = plan.targets(counts[1], into_text);
    REQUIRE(text_targets.size() == 1);
    CHECK(plan.instances()[text_targets[0]].node == "b");
    CHECK_FALSE(plan.crosses_nodes(into_text));
  }

  TEST_CASE("a step whose output type has no wire form cannot send to another node") {
    struct opaque {
      int n = 0;
    };
    pipeline p("opaque");
    p.source("in", sources::memory<bytes>({"a"}))
        .map("wrap", [](const bytes& b) { return opaque{static_cast<int>(b.size())}; })
        .map("unwrap", [](const opaque& o) { return bytes(std::to_string(o.n)); })
        .sink("out", sinks::devnull());
    CHECK_FALSE(p.graph().step(*p.graph().find("wrap")).output_codec);
    CHECK(p.graph().step(*p.graph().find("unwrap")).output_codec);

    placement same_node; // two segments, one node: nothing crosses
    same_node.segment_of = {{"in", 0}, {"unwrap", 1}};
    same_node.nodes = {{"a"}, {"a"}};
    CHECK_NOTHROW(execution_plan(p.graph(), same_node));

    placement split = same_node;
    split.nodes = {{"a"}, {"b"}};
    CHECK_THROWS_WITH_AS(execution_plan(p.graph(), split), doctest::Contains("step 'wrap' sends"),
                         pipeline_error);
    split.segment_of = {{"in", 0}, {"wrap", 1}}; // bytes cross instead
    CHECK_NOTHROW(execution_plan(p.graph(), split));
  }

  TEST_CASE("a placement that does not fit the pipeline names what is wrong") {
    word_pipeline w;
    placement where;
    where.segment_of = {{"in", 0}, {"no_such_step", 1}};
    where.nodes = {{"a", "a"}, {""}};
    try {
      execution_plan plan(w.p.graph(), where);
      FAIL("a bad placement was accepted");
    } catch (const pipeline_error& e) {
      auto& problems = e.problems();
      REQUIRE(problems.size() == 3);
      CHECK(problems[0].find("'no_such_step'") != std::string::npos);
      CHECK(problems[1].find("node 'a' twice") != std::string::npos);
      CHECK(problems[2].find("segment 1 names a node without a name") != std::string::npos);
    }
  }

  TEST_CASE("one segment alone: only its steps have instances, if nothing joins it to another") {
    pipeline p("two");
    p.source("left", sources::memory<bytes>({"a"}))
        .map("shout", [](const bytes& b) { return b + "!"; })
        .sink("left_out", sinks::devnull());
    p.source("right", sources::memory<bytes>({"b"})).sink("right_out", sinks::devnull());
    auto& g = p.graph();
    placement where;
    where.segment_of = {{"left", 0}, {"right", 1}};
    where.nodes = {{}, {}};
    where.only_segment = 1;
    execution_plan plan(g, where);
    CHECK(plan.segment_count() == 2);
    REQUIRE(plan.instances().size() == 2);
    CHECK(plan.instances_of(*g.find("right")).size() == 1);
    CHECK(plan.instances_of(*g.find("right_out")).size() == 1);
    for (auto name : {"left", "shout", "left_out"})
      CHECK(plan.instances_of(*g.find(name)).empty());
    REQUIRE(plan.ack_targets().size() == 1);
    CHECK(plan.instances()[plan.ack_targets()[0]].step == *g.find("right"));
    CHECK_FALSE(plan.crosses_nodes(*g.input(*g.find("shout"))));

    // shout in a segment of its own: segment 0 would send to it, and it would read from 0.
    where.segment_of = {{"left", 0}, {"shout", 1}, {"right", 2}};
    where.nodes = {{}, {}, {}};
    auto problems_of = [&](std::size_t only) {
      where.only_segment = only;
      try {
        execution_plan refused(g, where);
      } catch (const pipeline_error& e) {
        return e.problems();
      }
      return std::vector<std::string>{};
    };
    CHECK(problems_of(1)
          == std::vector<std::string>{
              "segment 1 starts at step 'shout', which reads from step 'left' of segment 0: run "
              "it in a cluster, or start the segment at a source"});
    CHECK(problems_of(0)
          == std::vector<std::string>{
              "segment 0 sends from step 'left' to step 'shout' of segment 1, which would not "
              "run: run the pipeline in a cluster, or end the segment at sinks"});
    CHECK(problems_of(2).empty());
    CHECK(problems_of(3)
          == std::vector<std::string>{"segment 3 is not in the pipeline, which has 3 segment(s)"});
  }
}
