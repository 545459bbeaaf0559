#include "streams/steps/batch_step.hpp"

#include "streams/pipeline.hpp"

#include "libstreams/support/collecting_emitter.hpp"
#include "libstreams/support/messages.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

using namespace streams;
using namespace std::chrono_literals;
using streams::test::collecting_emitter;

namespace {

batch_step bytes_batch(std::size_t n, std::chrono::milliseconds wait) {
  return batch_step(n, wait, [](std::vector<message>& in) {
    std::vector<bytes> out;
    for (auto& m : in)
      out.push_back(std::move(m.payload<bytes>()));
    return value(std::move(out));
  });
}

message input(const std::string& payload, std::int64_t offset, std::int64_t timestamp) {
  auto m = test::sourced(bytes(payload), offset);
  m.set_timestamp(timestamp);
  return m;
}

} // namespace

TEST_SUITE("steps.batch_step") {

  TEST_CASE("a full batch is one output with the payloads in order") {
    auto step = bytes_batch(3, 1h);
    collecting_emitter out;
    auto a = input("a", 10, 1000);
    a.set_key(bytes("key-a"));
    a.add_header("first", "1");
    auto b = input("b", 11, 3000);
    b.set_key(bytes("key-b"));
    b.add_header("second", "2");
    auto c = input("c", 12, 2000);

    step.process(a, out);
    step.process(b, out);
    CHECK(out.empty()); // nothing before the third message
    step.process(c, out);

    REQUIRE(out.out.size() == 1);
    CHECK(out.dropped.empty());
    auto& m = out.out[0].msg;
    CHECK(out.out[0].port == 0);
    CHECK(m.payload<std::vector<bytes>>() == std::vector<bytes>{"a", "b", "c"});
    REQUIRE(m.lineage().origins().size() == 3);
    CHECK(m.lineage().origins()[0] == origin{0, 0, 10, origin::full_weight});
    CHECK(m.lineage().origins()[1] == origin{0, 0, 11, origin::full_weight});
    CHECK(m.lineage().origins()[2] == origin{0, 0, 12, origin::full_weight});
    CHECK(m.timestamp() == 2000); // of the last, not the largest
    CHECK(m.key() == bytes("key-a"));
    CHECK(m.headers() == headers{{"first", "1"}});
    CHECK_FALSE(step.next_deadline().has_value());
  }

  TEST_CASE("batches follow one another") {
    auto step = bytes_batch(2, 1h);
    collecting_emitter out;
    for (int i = 0; i < 5; ++i) {
      auto m = input(std::to_string(i), i, i);
      step.process(m, out);
    }
    REQUIRE(out.out.size() == 2);
    CHECK(out.out[0].msg.payload<std::vector<bytes>>() == std::vector<bytes>{"0", "1"});
    CHECK(out.out[1].msg.payload<std::vector<bytes>>() == std::vector<bytes>{"2", "3"});
    CHECK(out.out[1].msg.lineage().origins().size() == 2);
    step.on_close(out, close_reason::stopped);
    REQUIRE(out.out.size() == 3);
    CHECK(out.out[2].msg.payload<std::vector<bytes>>() == std::vector<bytes>{"4"});
  }

  TEST_CASE("a batch by time is due max_wait after its first message") {
    auto step = bytes_batch(100, 250ms);
    collecting_emitter out;
    CHECK_FALSE(step.next_deadline().has_value());

    auto before = clock::now();
    auto a = input("a", 0, 1);
    step.process(a, out);
    auto after = clock::now();
    auto deadline = step.next_deadline();
    REQUIRE(deadline.has_value());
    CHECK(*deadline >= before + 250ms);
    CHECK(*deadline <= after + 250ms);

    // A later message does not push the deadline back.
    auto b = input("b", 1, 2);
    step.process(b, out);
    REQUIRE(step.next_deadline().has_value());
    CHECK(*step.next_deadline() == *deadline);

    step.on_tick(*deadline - 1ms, out);
    step.on_tick(*deadline - 1ns, out);
    CHECK(out.empty());

    step.on_tick(*deadline, out);
    REQUIRE(out.out.size() == 1);
    CHECK(out.out[0].msg.payload<std::vector<bytes>>() == std::vector<bytes>{"a", "b"});
    CHECK_FALSE(step.next_deadline().has_value());

    // Nothing held: ticks emit nothing, however late.
    step.on_tick(*deadline + 1h, out);
    CHECK(out.out.size() == 1);

    // The next batch gets its own deadline.
    auto c = input("c", 2, 3);
    auto before_c = clock::now();
    step.process(c, out);
    REQUIRE(step.next_deadline().has_value());
    CHECK(*step.next_deadline() >= before_c + 250ms);
  }

  TEST_CASE("close flushes a partial batch") {
    auto step = bytes_batch(10, 1h);
    collecting_emitter out;
    auto a = input("a", 0, 5);
    auto b = input("b", 1, 6);
    step.process(a, out);
    step.process(b, out);
    CHECK(out.empty());
    step.on_close(out, close_reason::stopped);
    REQUIRE(out.out.size() == 1);
    CHECK(out.out[0].msg.payload<std::vector<bytes>>() == std::vector<bytes>{"a", "b"});
    CHECK(out.out[0].msg.lineage().origins().size() == 2);
    CHECK(out.out[0].msg.timestamp() == 6);
    CHECK_FALSE(step.next_deadline().has_value());
    step.on_close(out, close_reason::stopped);
    CHECK(out.out.size() == 1); // closing twice emits the batch once
  }

  TEST_CASE("closing with nothing held emits nothing") {
    auto step = bytes_batch(3, 1s);
    collecting_emitter out;
    step.on_close(out, close_reason::stopped);
    CHECK(out.empty());
  }

  TEST_CASE("the typed builder's batch gathers payloads of the stream's type") {
    pipeline p("batch");
    p.source("in", source_spec<json>{})
        .batch("b", 2, std::chrono::milliseconds(100))
        .serialize_json("ser")
        .sink("out", sink_spec<bytes>{});
    auto idx = p.graph().find("b");
    REQUIRE(idx.has_value());
    auto op = p.graph().step(*idx).make_operator();
    REQUIRE(op != nullptr);
    collecting_emitter out;
    auto a = test::sourced(json::parse(R"({"n":1})"), 0);
    auto b = test::sourced(json::parse(R"({"n":2})"), 1);
    op->process(a, out);
    op->process(b, out);
    REQUIRE(out.out.size() == 1);
    auto& docs = out.out[0].msg.payload<std::vector<json>>();
    REQUIRE(docs.size() == 2);
    CHECK(docs[0].get_int("n") == 1);
    CHECK(docs[1].get_int("n") == 2);
  }

} // TEST_SUITE
