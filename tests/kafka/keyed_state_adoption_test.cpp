// Two keyed state steps standing for two processes that share a state changelog on the
// embedded broker: a partition goes from one to the other and back, and each time its new
// owner counts on from what the last one wrote.

#include "streams/kafka/embedded_broker.hpp"
#include "streams/kafka/state_changelog.hpp"
#include "streams/pipeline.hpp"
#include "streams/sinks/stream_sinks.hpp"
#include "streams/sources/memory_source.hpp"
#include "streams/state/state_store.hpp"

#include "libstreams/support/collecting_emitter.hpp"
#include "libstreams/support/messages.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>

using namespace streams;
using namespace std::chrono_literals;

namespace {

/// A process running one instance of a step keeping a running total per key (the payload's
/// parity), over its own store replicated to the broker's changelog topic.
struct process {
  explicit process(const kafka::embedded_broker& broker) {
    pipeline p("totals");
    p.source("in", sources::memory<std::int64_t>({}))
        .stateful_map<std::int64_t>(
            "totals", [](const std::int64_t& v) { return std::to_string(v % 2); },
            [](const std::int64_t& v, keyed_state<std::int64_t>& total) {
              auto sum = total.get_or(0) + v;
              total.put(sum);
              return sum;
            })
        .sink("out", sinks::memory<std::int64_t>(std::make_shared<memory_store>()));
    op = p.graph().step(*p.graph().find("totals")).make_operator();
    kafka::changelog_config c;
    c.bootstrap_servers = broker.bootstrap_servers();
    c.topic = "state";
    c.timeout = 20s;
    store = kafka::replicate_to_changelog(make_memory_store(), c);
    op->open({"totals", 0, 1, store.get()});
  }

  /// The step's output for `v` from partition `partition` at `offset`; then the state is
  /// written.
  std::int64_t send(std::int64_t v, std::int32_t partition, std::int64_t offset) {
    auto m = test::sourced(v, offset, partition);
    op->process(m, out);
    auto total = out.out.back().msg.payload<std::int64_t>();
    for (auto id : out.tracked)
      op->delivered(id);
    out.tracked.clear();
    op->checkpoint(out);
    return total;
  }

  std::unique_ptr<state_store> store;
  std::unique_ptr<step_operator> op;
  test::collecting_emitter out;
};

} // namespace

TEST_SUITE("kafka.keyed_state_adoption") {
  TEST_CASE("a partition that comes back is read again: its keys' states as another wrote them") {
    kafka::embedded_broker broker(1, {{"state", 1}});
    process a(broker);
    CHECK(a.send(1, 0, 0) == 1);
    a.op->revoked(0, {0}, true);
    process b(broker);
    CHECK(b.send(3, 0, 1) == 4); // b adopts partition 0 at its first message
    b.op->revoked(0, {0}, true);
    a.op->assigned(0, {0}); // a reads b's writes before its next message
    CHECK(a.send(5, 0, 2) == 9);
  }
}
