// Commits never run ahead of delivery (docs/concepts.md, "Exact commits"): one copy of a
// broadcast message, or one output of a flat_map, is held back by a sink that delays its
// report, while everything else is delivered. The committed offset of its partition must stay
// at the held message until that report comes. A sink that acknowledged the first delivered
// piece at full weight, or a lineage split that gave every piece the whole weight, commits past
// it here (tools/mutate.sh: sink-full-weight, split-full-weight, tracker-any-weight).

#include "streams/actors/runtime.hpp"
#include "streams/pipeline.hpp"

#include "support/child_process.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace streams;
using namespace std::chrono_literals;
using streams::test::eventually;

namespace {

constexpr std::int64_t messages_p0 = 100; // partition 0: payloads 0..99, offset = payload
constexpr int held = 40;                  // the payload whose delivery is held back
constexpr int heartbeat_base = 1'000'000; // partition 1: payload heartbeat_base + offset

/// What the test observes: deliveries per sink, and every commit checked when it is made.
struct watch {
  std::mutex mtx;
  std::map<std::string, std::set<int>> delivered; // per sink, the payloads reported
  std::map<std::int32_t, std::int64_t> committed; // per partition, the highest position
  std::vector<std::string> violations;            // commits past an undelivered held piece
  std::atomic<bool> release{false};               // the holding sink may report what it holds
  std::atomic<bool> held_reported{false};         // ... and has
  std::atomic<std::int64_t> heartbeats{0};        // partition 1 offsets handed out

  bool was_delivered(const std::string& sink, int payload) {
    std::lock_guard<std::mutex> lock(mtx);
    return delivered[sink].count(payload) > 0;
  }
  std::int64_t committed_of(std::int32_t partition) {
    std::lock_guard<std::mutex> lock(mtx);
    auto it = committed.find(partition);
    return it == committed.end() ? 0 : it->second;
  }
};

/// Partition 0: `messages_p0` messages at once. Partition 1: a heartbeat, one message every
/// millisecond or so for as long as the pipeline runs, so that commits keep happening and the
/// test can tell when a commit has been made after a given delivery. Checks every commit.
class heartbeat_source : public source {
public:
  explicit heartbeat_source(std::shared_ptr<watch> w) : w_(std::move(w)) {}
  std::vector<message> poll(std::size_t max) override {
    std::vector<message> out;
    while (out.size() < max && next_ < messages_p0) {
      message m(static_cast<int>(next_));
      m.set_lineage(lineage(origin{0, 0, next_, origin::full_weight}));
      out.push_back(std::move(m));
      ++next_;
    }
    auto now = std::chrono::steady_clock::now();
    if (out.size() < max && now - last_beat_ >= 1ms) {
      last_beat_ = now;
      auto offset = w_->heartbeats.load();
      message m(heartbeat_base + static_cast<int>(offset));
      m.set_lineage(lineage(origin{0, 1, offset, origin::full_weight}));
      out.push_back(std::move(m));
      w_->heartbeats = offset + 1;
    }
    return out;
  }
  void commit(const std::vector<partition_offset>& positions) override {
    std::lock_guard<std::mutex> lock(w_->mtx);
    for (auto& p : positions) {
      w_->committed[p.partition] = std::max(w_->committed[p.partition], p.offset);
      if (p.partition == 0 && p.offset > held && !w_->held_reported)
        w_->violations.push_back("partition 0 committed to " + std::to_string(p.offset)
                                 + " while a piece of offset " + std::to_string(held)
                                 + " was not delivered");
    }
  }

private:
  std::shared_ptr<watch> w_;
  std::int64_t next_ = 0;
  std::chrono::steady_clock::time_point last_beat_{};
};

/// Reports every message at once, except the pieces `hold` picks: those only once the test
/// releases them (from `poll`, like an asynchronous sink whose reports come late, or on
/// `flush`). Records what it reported before reporting it.
class holding_back_sink : public sink {
public:
  holding_back_sink(std::string name, std::shared_ptr<watch> w, std::function<bool(int)> hold)
      : name_(std::move(name)), w_(std::move(w)), hold_(std::move(hold)) {}
  void write(std::vector<message>& batch, delivery_report& report) override {
    for (auto& m : batch) {
      auto x = m.payload<int>();
      if (hold_(x) && !w_->release)
        held_.push_back(m);
      else
        deliver(x, m.lineage(), report);
    }
  }
  void poll(delivery_report& report) override {
    if (w_->release)
      flush(report);
  }
  std::size_t pending() const override { return held_.size(); }
  void flush(delivery_report& report) override {
    for (auto& m : held_) {
      w_->held_reported = true;
      deliver(m.payload<int>(), m.lineage(), report);
    }
    held_.clear();
  }

private:
  void deliver(int x, const lineage& l, delivery_report& report) {
    {
      std::lock_guard<std::mutex> lock(w_->mtx);
      w_->delivered[name_].insert(x);
    }
    report.delivered(l);
  }

  std::string name_;
  std::shared_ptr<watch> w_;
  std::function<bool(int)> hold_;
  std::vector<message> held_;
};

sink_spec<int> holding_back(const std::string& name, std::shared_ptr<watch> w,
                            std::function<bool(int)> hold) {
  return {name, "", [=] { return std::make_unique<holding_back_sink>(name, w, hold); }};
}

source_spec<int> heartbeat(std::shared_ptr<watch> w) {
  return {"heartbeat", "", [w] { return std::make_unique<heartbeat_source>(w); }};
}

/// Runs `p` until the piece `fast_sink` delivers of the held message (`fast_payload`) is known
/// to have been acknowledged to the source and a commit was made after that; checks that the
/// commit stayed at the held offset; then releases the held piece and checks that the rest is
/// committed.
void check_commits_wait_for_the_held_piece(pipeline& p, const std::shared_ptr<watch>& w,
                                           const std::string& fast_sink, int fast_payload) {
  runtime_options o;
  o.commit_interval = 10ms;
  o.max_batch = 16;
  o.credit = 64;
  runtime r(p.graph(), o);
  r.start();
  REQUIRE(eventually([&] { return w->was_delivered(fast_sink, fast_payload); }, 20s));
  // Heartbeats handed out from now on reach the sinks after the fast piece of the held
  // message, so their acknowledgements come after its own (one path, CAF keeps the order of
  // one sender's messages). Once partition 1 is committed past them, the source had counted
  // the fast piece done when it made that commit.
  auto beat = w->heartbeats.load();
  REQUIRE(eventually([&] { return w->committed_of(1) > beat + 1; }, 20s));
  {
    std::lock_guard<std::mutex> lock(w->mtx);
    CHECK(w->violations.empty());
    for (auto& v : w->violations)
      FAIL_CHECK(v);
    CHECK(w->committed[0] == held); // everything before the held message is done
  }
  w->release = true;
  CHECK(eventually([&] { return w->committed_of(0) == messages_p0; }, 20s));
  r.stop();
  auto result = r.wait();
  CHECK(result.ok);
  std::lock_guard<std::mutex> lock(w->mtx);
  CHECK(w->violations.empty());
}

} // namespace

TEST_SUITE("commits behind delivery") {
  TEST_CASE("through broadcast, an offset is not committed while one branch holds its copy") {
    auto w = std::make_shared<watch>();
    pipeline p("broadcast-held");
    auto b = p.source("in", heartbeat(w)).broadcast("fanout", {"quick", "slow"});
    b.branch("quick").sink("quick", holding_back("quick", w, [](int) { return false; }));
    b.branch("slow")
        .map("same", [](const int& x) { return x; })
        .sink("slow", holding_back("slow", w, [](int x) { return x == held; }));
    check_commits_wait_for_the_held_piece(p, w, "quick", held);
    CHECK(w->was_delivered("slow", held));
  }

  TEST_CASE("through flat_map, an offset is not committed while one of its outputs is held") {
    auto w = std::make_shared<watch>();
    pipeline p("flat-map-held");
    p.source("in", heartbeat(w))
        .flat_map("twice",
                  [](const int& x) {
                    return std::vector<int>{2 * x, 2 * x + 1};
                  })
        .sink("out", holding_back("out", w, [](int x) { return x == 2 * held + 1; }));
    check_commits_wait_for_the_held_piece(p, w, "out", 2 * held);
    CHECK(w->was_delivered("out", 2 * held + 1));
  }

  TEST_CASE("through flat_map and broadcast, the last of many pieces holds the commit") {
    // Three outputs per input, each broadcast to two branches: six pieces; the fast branch
    // delivers all three of its own, the other holds only the last output.
    auto w = std::make_shared<watch>();
    pipeline p("flat-map-broadcast-held");
    auto b = p.source("in", heartbeat(w))
                 .flat_map("thrice",
                           [](const int& x) {
                             return std::vector<int>{3 * x, 3 * x + 1, 3 * x + 2};
                           })
                 .broadcast("fanout", {"quick", "slow"});
    b.branch("quick").sink("quick", holding_back("quick", w, [](int) { return false; }));
    b.branch("slow").sink("slow", holding_back("slow", w, [](int x) { return x == 3 * held + 2; }));
    check_commits_wait_for_the_held_piece(p, w, "quick", 3 * held + 2);
  }
}
