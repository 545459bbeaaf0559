#include "streams/actors/runtime.hpp"

#include "streams/error.hpp"
#include "streams/pipeline.hpp"
#include "streams/sinks/devnull_sink.hpp"
#include "streams/sinks/stream_sinks.hpp"
#include "streams/sources/file_source.hpp"
#include "streams/sources/memory_source.hpp"

#include "support/child_process.hpp"
#include "support/run_failure.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <set>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace streams;
using namespace std::chrono_literals;
using streams::test::eventually;
using streams::test::failure_text;

namespace {

std::vector<int> iota(int n) {
  std::vector<int> v(n);
  for (int i = 0; i < n; ++i)
    v[i] = i;
  return v;
}

/// in → parser → serializer → out: the parser rejects what is not JSON.
std::unique_ptr<pipeline> parsing(std::vector<bytes> input, std::shared_ptr<commit_log> log,
                                  std::shared_ptr<memory_store> out) {
  auto p = std::make_unique<pipeline>("parsing");
  p->source("in", sources::memory<bytes>(std::move(input), std::move(log)))
      .parse_json("parser")
      .serialize_json("serializer")
      .sink("out", sinks::memory<bytes>(std::move(out)));
  return p;
}

} // namespace

TEST_CASE("a map-filter pipeline delivers exactly what passes the filter, in order") {
  auto out = std::make_shared<memory_store>();
  auto log = std::make_shared<commit_log>();
  pipeline p("map-filter");
  p.source("numbers", sources::memory<int>(iota(10000), log))
      .map("square", [](const int& x) { return static_cast<long>(x) * x; })
      .filter("even", [](const long& x) { return x % 2 == 0; })
      .sink("out", sinks::memory<long>(out));
  runtime_options o;
  o.credit = 64;
  o.max_batch = 16;
  auto r = run(p, o);
  REQUIRE(r.ok);
  auto got = out->payloads<long>();
  REQUIRE(got.size() == 5000);
  for (int i = 0; i < 5000; ++i)
    CHECK(got[i] == static_cast<long>(2 * i) * (2 * i));
  // every offset is done, the filtered ones included: the last commit is past the end
  auto commits = log->all();
  REQUIRE(!commits.empty());
  CHECK(commits.back() == partition_offset{0, 10000});
  CHECK(r.find("even")->dropped == 5000);
  CHECK(r.find("square")->messages_in == 10000);
}

TEST_CASE("router sends each message to exactly one branch and broadcast to every branch") {
  auto evens = std::make_shared<memory_store>();
  auto odds = std::make_shared<memory_store>();
  auto copies = std::make_shared<memory_store>();
  auto log = std::make_shared<commit_log>();
  pipeline p("branches");
  auto b = p.source("numbers", sources::memory<int>(iota(1000), log))
               .broadcast("fanout", {"route", "copy"});
  auto r = b.branch("route").route("parity", {"even", "odd"},
                                   [](const int& x) { return x % 2 == 0 ? "even" : "odd"; });
  r.branch("even").sink("evens", sinks::memory<int>(evens));
  r.branch("odd").sink("odds", sinks::memory<int>(odds));
  b.branch("copy")
      .map("negate", [](const int& x) { return -x; })
      .sink("copies", sinks::memory<int>(copies));
  auto result = run(p);
  REQUIRE(result.ok);
  CHECK(evens->size() == 500);
  CHECK(odds->size() == 500);
  for (auto x : evens->payloads<int>())
    CHECK(x % 2 == 0);
  for (auto x : odds->payloads<int>())
    CHECK(x % 2 != 0);
  CHECK(copies->size() == 1000);
  CHECK(log->all().back() == partition_offset{0, 1000});
}

namespace {

/// Hands out `count` messages, then nothing, and never ends: like a quiet Kafka topic.
class trickle_source : public source {
public:
  explicit trickle_source(int count) : count_(count) {}
  std::vector<message> poll(std::size_t max) override {
    std::vector<message> out;
    while (out.size() < max && next_ < count_) {
      message m(next_);
      m.set_lineage(lineage(origin{0, 0, next_, origin::full_weight}));
      out.push_back(std::move(m));
      ++next_;
    }
    return out;
  }

private:
  int count_;
  int next_ = 0;
};

source_spec<int> trickle(int count) {
  return {"trickle", "", [count] { return std::make_unique<trickle_source>(count); }};
}

/// A sink that takes `delay` per message, for backpressure.
class slow_sink : public sink {
public:
  explicit slow_sink(std::chrono::microseconds delay) : delay_(delay) {}
  void write(std::vector<message>& batch, delivery_report& report) override {
    for (auto& m : batch) {
      std::this_thread::sleep_for(delay_);
      report.delivered(m.lineage());
    }
  }

private:
  std::chrono::microseconds delay_;
};

} // namespace

TEST_CASE("stop drains what is in flight and commits exactly what was delivered") {
  auto out = std::make_shared<memory_store>();
  auto log = std::make_shared<commit_log>();
  pipeline p("drain");
  // a source that would take minutes to exhaust
  p.source("numbers", sources::memory<int>(iota(2'000'000), log))
      .map("inc", [](const int& x) { return x + 1; })
      .sink("out", sinks::memory<int>(out));
  runtime r(p.graph());
  r.start();
  REQUIRE(eventually([&] { return out->size() > 1000; }, 20s));
  r.stop();
  auto result = r.wait();
  REQUIRE(result.ok);
  auto got = out->payloads<int>();
  REQUIRE(got.size() < 2'000'000);
  // everything the source handed out reached the sink, in order, nothing lost in flight
  CHECK(result.find("numbers")->messages_out == got.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    REQUIRE(got[i] == static_cast<int>(i) + 1);
  CHECK(log->all().back() == partition_offset{0, static_cast<std::int64_t>(got.size())});
}

TEST_CASE("an invalid message goes to the dead-letter sink and is committed past") {
  auto out = std::make_shared<memory_store>();
  auto dead = std::make_shared<memory_store>();
  auto log = std::make_shared<commit_log>();
  auto p = parsing({R"({"a":1})", "{broken", R"({"a":3})"}, log, out);
  runtime_options o;
  o.on_invalid.action = on_invalid::dead_letter;
  o.dead_letters = [dead] { return std::make_unique<memory_sink>(dead); };
  auto r = run(*p, o);
  REQUIRE(r.ok);
  CHECK(out->payloads<bytes>() == std::vector<bytes>{R"({"a":1})", R"({"a":3})"});
  REQUIRE(dead->size() == 1);
  auto letter = dead->messages().front();
  CHECK(letter.payload<bytes>() == "{broken");
  REQUIRE(letter.header("streams-step"));
  CHECK(*letter.header("streams-step") == "parser");
  REQUIRE(letter.header("streams-error"));
  CHECK(letter.header("streams-error")->find("invalid JSON") != std::string::npos);
  CHECK(*letter.header("streams-origin") == "0/0/1");
  CHECK(*letter.header("streams-source") == "in");
  CHECK(r.find("parser")->invalid == 1);
  CHECK(log->all().back() == partition_offset{0, 3});
}

TEST_CASE("by default an invalid message stops the pipeline, naming the step, partition and "
          "offset, with nothing committed past it") {
  auto out = std::make_shared<memory_store>();
  auto log = std::make_shared<commit_log>();
  std::vector<bytes> input;
  for (int i = 0; i < 200; ++i)
    input.push_back(i == 120 ? "{broken" : R"({"a":)" + std::to_string(i) + "}");
  auto p = parsing(input, log, out);
  runtime_options o;
  o.max_batch = 8;
  o.commit_interval = 5ms;
  auto r = run(*p, o);
  REQUIRE_FALSE(r.ok);
  INFO(failure_text(r));
  CHECK(r.failure->code() == "runtime.invalid_message");
  CHECK(r.failure->category() == error_category::user);
  CHECK_FALSE(r.failure->retryable());
  CHECK(failure_text(r).find("step 'parser'") != std::string::npos);
  CHECK(failure_text(r).find("source 'in' partition 0 offset 120") != std::string::npos);
  CHECK(failure_text(r).find("invalid JSON") != std::string::npos);
  for (auto& c : log->all())
    CHECK(c.offset <= 120);
}

TEST_CASE("on_invalid drop counts an invalid message and commits past it") {
  auto out = std::make_shared<memory_store>();
  auto log = std::make_shared<commit_log>();
  auto p = parsing({R"({"a":1})", "{broken", R"({"a":3})"}, log, out);
  p->graph().step(0).on_invalid = invalid_policy{on_invalid::drop, {}, {}};
  auto r = run(*p);
  REQUIRE(r.ok);
  CHECK(out->payloads<bytes>() == std::vector<bytes>{R"({"a":1})", R"({"a":3})"});
  CHECK(r.find("parser")->invalid == 1);
  CHECK(log->all().back() == partition_offset{0, 3});
}

TEST_CASE("past max_consecutive_count the pipeline stops, committing nothing past the message") {
  auto dead = std::make_shared<memory_store>();
  auto log = std::make_shared<commit_log>();
  std::vector<bytes> input;
  for (int i = 0; i < 100; ++i) // offsets 50, 51 and 52 are invalid: three in a row
    input.push_back(i >= 50 && i <= 52 ? "{broken" : R"({"a":1})");
  auto p = parsing(input, log, std::make_shared<memory_store>());
  p->graph().step(0).on_invalid = invalid_policy{on_invalid::dead_letter, {}, 2};
  runtime_options o;
  o.max_batch = 4;
  o.commit_interval = 5ms;
  o.dead_letters = [dead] { return std::make_unique<memory_sink>(dead); };
  auto r = run(*p, o);
  REQUIRE_FALSE(r.ok);
  INFO(failure_text(r));
  CHECK(r.failure->code() == "runtime.dead_letter_limit");
  CHECK(r.failure->category() == error_category::user);
  CHECK(failure_text(r).find("3 invalid messages in a row, more than max_consecutive_count 2")
        != std::string::npos);
  CHECK(failure_text(r).find("partition 0") != std::string::npos);
  for (auto& c : log->all())
    CHECK(c.offset <= 52);
}

TEST_CASE("a step that throws is restarted and retries the same message") {
  auto out = std::make_shared<memory_store>();
  auto failures = std::make_shared<std::atomic<int>>(2);
  pipeline p("restart");
  p.source("in", sources::memory<int>(iota(100)))
      .map("flaky",
           [failures](const int& x) {
             if (x == 50 && failures->fetch_sub(1) > 0)
               throw std::runtime_error("transient trouble");
             return x;
           })
      .sink("out", sinks::memory<int>(out));
  auto r = run(p);
  REQUIRE(r.ok);
  CHECK(out->payloads<int>() == iota(100));
  CHECK(r.find("flaky")->restarts == 2);
}

TEST_CASE("a step that keeps throwing stops the pipeline with an error naming it, committing "
          "nothing past it") {
  auto out = std::make_shared<memory_store>();
  auto log = std::make_shared<commit_log>();
  pipeline p("broken");
  p.source("in", sources::memory<int>(iota(100), log))
      .map("always_fails_at_40",
           [log](const int& x) {
             if (x == 40) {
               // Let a commit happen first, so that what is committed can be checked below.
               eventually([&] { return !log->all().empty(); }, 20s);
               throw std::runtime_error("database unreachable");
             }
             return x;
           })
      .sink("out", sinks::memory<int>(out));
  runtime_options o;
  o.max_restarts = 2;
  o.credit = 8;
  o.max_batch = 4;
  o.commit_interval = 10ms;
  auto r = run(p, o);
  REQUIRE_FALSE(r.ok);
  CHECK(r.failure->code() == "runtime.restart_limit");
  CHECK(r.failure->category() == error_category::user);
  CHECK_FALSE(r.failure->retryable());
  CHECK(failure_text(r).find("always_fails_at_40") != std::string::npos);
  CHECK(failure_text(r).find("database unreachable") != std::string::npos);
  auto commits = log->all();
  REQUIRE_FALSE(commits.empty());
  for (auto& c : commits)
    CHECK(c.offset <= 40);
  auto got = out->payloads<int>();
  REQUIRE_FALSE(got.empty());
  for (auto x : got)
    CHECK(x < 40);
}

TEST_CASE("restarts count only within restart_window") {
  // Messages 10, 20, 30 and 40 each throw once; the map works slowly in between, so that
  // successive failures are further apart than a 50 ms window. Allowed one restart per
  // window, the pipeline survives all four; with the default window (60 s) the second
  // failure stops it.
  auto make = [](std::shared_ptr<memory_store> out) {
    auto failed = std::make_shared<std::set<int>>();
    auto p = std::make_unique<pipeline>("restart-window");
    p->source("in", sources::memory<int>(iota(50)))
        .map("flaky",
             [failed](const int& x) {
               if (x % 10 == 5)
                 std::this_thread::sleep_for(100ms);
               if (x > 0 && x % 10 == 0 && failed->insert(x).second)
                 throw std::runtime_error("failure at " + std::to_string(x));
               return x;
             })
        .sink("out", sinks::memory<int>(out));
    return p;
  };
  runtime_options o;
  o.max_restarts = 1;
  o.credit = 4;
  o.max_batch = 2;
  {
    auto out = std::make_shared<memory_store>();
    auto p = make(out);
    o.restart_window = 50ms;
    auto r = run(*p, o);
    REQUIRE(r.ok);
    CHECK(r.find("flaky")->restarts == 4);
    CHECK(out->payloads<int>() == iota(50));
  }
  {
    auto out = std::make_shared<memory_store>();
    auto p = make(out);
    o.restart_window = 60s;
    auto r = run(*p, o);
    CHECK_FALSE(r.ok);
    CHECK(failure_text(r).find("failed 2 times within 60000 ms, last error: failure at 20")
          != std::string::npos);
  }
}

TEST_CASE("a slow sink holds the source back: in flight stays within the credit") {
  constexpr int total = 3000;
  pipeline p("backpressure");
  p.source("fast", sources::memory<int>(iota(total)))
      .map("identity", [](const int& x) { return x; })
      .filter("all", [](const int&) { return true; })
      .sink("slow", sink_spec<int>{"slow", "", [] { return std::make_unique<slow_sink>(100us); }});
  runtime_options o;
  o.credit = 64;
  o.max_batch = 16;
  auto r = run(p, o);
  REQUIRE(r.ok);
  for (auto step : {"identity", "all", "slow"}) {
    INFO(step);
    CHECK(r.find(step)->messages_in == total);
    CHECK(r.find(step)->max_in_flight <= o.credit);
  }
  // Everything the source handed out and not yet done sits in some actor's queue or output
  // buffer; with three edges that is far below the total the source could have sent.
  auto bound = 3 * (o.credit + o.max_batch);
  CHECK(r.find("fast")->max_in_flight <= bound);
  CHECK(r.find("fast")->max_in_flight < total / 4);
}

/// Records, when its first message arrives, how many calls a step upstream had made by then.
class first_arrival_sink : public sink {
public:
  first_arrival_sink(std::shared_ptr<std::atomic<int>> calls,
                     std::shared_ptr<std::atomic<int>> seen)
      : calls_(std::move(calls)), seen_(std::move(seen)) {}
  void write(std::vector<message>& batch, delivery_report& report) override {
    if (seen_->load() < 0)
      seen_->store(calls_->load());
    for (auto& m : batch)
      report.delivered(m.lineage());
  }

private:
  std::shared_ptr<std::atomic<int>> calls_, seen_;
};

/// Delivers everything, noting the largest batch it was handed.
class batch_size_sink : public sink {
public:
  explicit batch_size_sink(std::shared_ptr<std::atomic<std::size_t>> largest)
      : largest_(std::move(largest)) {}
  void write(std::vector<message>& batch, delivery_report& report) override {
    if (batch.size() > largest_->load())
      largest_->store(batch.size());
    for (auto& m : batch)
      report.delivered(m.lineage());
  }

private:
  std::shared_ptr<std::atomic<std::size_t>> largest_;
};

TEST_CASE("a step's max_batch_in caps the batches sent to it") {
  auto largest_with = [](std::size_t cap) {
    auto largest = std::make_shared<std::atomic<std::size_t>>(0);
    pipeline p("batches");
    p.source("numbers", sources::memory<int>(iota(5000)))
        .map("identity", [](const int& x) { return x; })
        .sink("out", sink_spec<int>{"out", "", [largest] {
                                      return std::make_unique<batch_size_sink>(largest);
                                    }});
    p.graph().step(*p.graph().find("out")).max_batch_in = cap;
    auto r = run(p);
    REQUIRE(r.ok);
    CHECK(r.find("out")->messages_out == 5000);
    return largest->load();
  };
  CHECK(largest_with(0) > 7); // the runtime's max_batch (512) when the step sets none
  CHECK(largest_with(7) == 7);
}

TEST_CASE("a slow step sends its outputs on while it works, not after its whole input batch") {
  constexpr int total = 60;
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto seen = std::make_shared<std::atomic<int>>(-1);
  pipeline p("slow-step");
  p.source("numbers", sources::memory<int>(iota(total))) // one batch of 60
      .map("slow",
           [calls](const int& x) {
             // 10 ms a call, twice the step's slice: on a loaded machine the sink may be
             // scheduled late, and must still see its first output within ~300 ms of 600.
             std::this_thread::sleep_for(10ms);
             ++*calls;
             return x;
           })
      .sink("first", sink_spec<int>{"first", "", [calls, seen] {
                                      return std::make_unique<first_arrival_sink>(calls, seen);
                                    }});
  auto r = run(p);
  REQUIRE(r.ok);
  CHECK(r.find("first")->messages_out == total);
  // The step sends what it has every few milliseconds: the sink sees the first outputs while
  // most of the batch is still to come (before, they all left together, after the 60th call).
  INFO("calls made when the first output arrived: " << seen->load());
  CHECK(seen->load() > 0);
  CHECK(seen->load() < total / 2);
}

/// An asynchronous sink (like Kafka's): it reports messages only from `poll`, and only once at
/// least `release_at` are waiting (or on `flush`). Records the most it ever held unreported.
class holding_sink : public sink {
public:
  holding_sink(std::size_t release_at, std::shared_ptr<std::atomic<std::size_t>> most)
      : release_at_(release_at), most_(std::move(most)) {}
  void write(std::vector<message>& batch, delivery_report&) override {
    for (auto& m : batch)
      held_.push_back(m.lineage());
    if (held_.size() > most_->load())
      most_->store(held_.size());
  }
  void poll(delivery_report& report) override {
    if (held_.size() >= release_at_)
      flush(report);
  }
  std::size_t pending() const override { return held_.size(); }
  void flush(delivery_report& report) override {
    for (auto& l : held_)
      report.delivered(l);
    held_.clear();
  }

private:
  std::size_t release_at_;
  std::shared_ptr<std::atomic<std::size_t>> most_;
  std::vector<lineage> held_;
};

TEST_CASE("an asynchronous sink holds at most sink_backlog unreported messages, plus one credit") {
  constexpr int total = 3000;
  auto most = std::make_shared<std::atomic<std::size_t>>(0);
  pipeline p("sink-backlog");
  p.source("fast", sources::memory<int>(iota(total)))
      .sink("held",
            sink_spec<int>{"held", "", [most] { return std::make_unique<holding_sink>(1, most); }});
  runtime_options o;
  o.credit = 16;
  o.max_batch = 8;
  o.sink_backlog = 100;
  auto r = run(p, o);
  REQUIRE(r.ok);
  CHECK(r.find("held")->messages_out == total);
  CHECK(most->load() <= o.sink_backlog + o.credit);
}

TEST_CASE("an asynchronous sink may hold more unreported messages than the credit") {
  // A Kafka producer reports a batch only once the broker has it: with the backlog bounded by
  // the credit, such a sink throttled the pipeline to ~0.3 M msg/s (tools/bench).
  constexpr int total = 3000;
  auto most = std::make_shared<std::atomic<std::size_t>>(0);
  pipeline p("sink-backlog-large");
  p.source("fast", sources::memory<int>(iota(total)))
      .sink("held", sink_spec<int>{"held", "",
                                   [most] { return std::make_unique<holding_sink>(500, most); }});
  runtime_options o;
  o.credit = 16;
  o.max_batch = 8;
  auto r = run(p, o); // default sink_backlog: far above 500, so the sink gets there and reports
  REQUIRE(r.ok);
  CHECK(r.find("held")->messages_out == total);
  CHECK(most->load() >= 500);
  CHECK(most->load() <= o.sink_backlog + o.credit);
}

TEST_CASE("a batch is emitted by time when no more messages come") {
  auto out = std::make_shared<memory_store>();
  pipeline p("batch-time");
  p.source("quiet", trickle(5))
      .batch("batch", 1000, 50ms)
      .sink("out", sinks::memory<std::vector<int>>(out));
  runtime r(p.graph());
  r.start();
  REQUIRE(eventually([&] { return out->size() == 1; }, 20s));
  CHECK(out->payloads<std::vector<int>>().front() == std::vector<int>{0, 1, 2, 3, 4});
  r.stop();
  CHECK(r.wait().ok);
}

TEST_CASE("flat_map and batch commit every offset once all derived outputs are delivered") {
  auto out = std::make_shared<memory_store>();
  auto log = std::make_shared<commit_log>();
  pipeline p("fan");
  p.source("in", sources::memory<int>(iota(300), log))
      .flat_map("repeat",
                [](const int& x) { return std::vector<int>(x % 3, x); }) // 0, 1 or 2 copies
      .batch("threes", 3, 10s)
      .sink("out", sinks::memory<std::vector<int>>(out));
  auto r = run(p);
  REQUIRE(r.ok);
  std::size_t n = 0;
  for (auto& b : out->payloads<std::vector<int>>())
    n += b.size();
  CHECK(n == 300); // 100 zeros, 100 ones, 100 twos
  CHECK(log->all().back() == partition_offset{0, 300});
}

TEST_CASE("a sink that fails a delivery fails the pipeline") {
  struct failing_sink : sink {
    void write(std::vector<message>& batch, delivery_report& report) override {
      for (auto& m : batch)
        report.failed(m.lineage(), "disk full");
    }
  };
  pipeline p("sink-fails");
  p.source("in", sources::memory<int>(iota(10)))
      .sink("disk", sink_spec<int>{"disk", "", [] { return std::make_unique<failing_sink>(); }});
  auto r = run(p);
  REQUIRE_FALSE(r.ok);
  CHECK(failure_text(r) == "sink 'disk': disk full");
  CHECK(r.failure->code() == "runtime.connector_failed");
  CHECK(r.failure->category() == error_category::external);
}

TEST_CASE("several sources in one pipeline") {
  auto a = std::make_shared<memory_store>();
  auto b = std::make_shared<memory_store>();
  auto log_a = std::make_shared<commit_log>();
  auto log_b = std::make_shared<commit_log>();
  pipeline p("two-sources");
  p.source("a", sources::memory<int>(iota(500), log_a)).sink("to_a", sinks::memory<int>(a));
  p.source("b", sources::memory<int>(iota(700), log_b))
      .filter("odd", [](const int& x) { return x % 2 == 1; })
      .sink("to_b", sinks::memory<int>(b));
  auto r = run(p);
  REQUIRE(r.ok);
  CHECK(a->size() == 500);
  CHECK(b->size() == 350);
  CHECK(log_a->all().back() == partition_offset{0, 500});
  CHECK(log_b->all().back() == partition_offset{0, 700});
}

TEST_CASE("a connector that cannot start fails start() naming the step") {
  pipeline p("bad-file");
  p.source("in", sources::file_lines("/nonexistent/input.jsonl")).sink("out", sinks::devnull());
  runtime r(p.graph());
  CHECK_THROWS_WITH_AS(
      r.start(), doctest::Contains("step 'in': cannot open input file '/nonexistent/input.jsonl'"),
      std::runtime_error);
}

TEST_CASE("an invalid pipeline is refused before anything starts") {
  pipeline p("invalid");
  p.source("in", sources::memory<int>(iota(3))).map("m", [](const int& x) { return x; });
  runtime r(p.graph());
  CHECK_THROWS_AS(r.start(), pipeline_error);
}

TEST_CASE("the health file is touched while the pipeline runs") {
  auto path = "/tmp/streams-health-" + std::to_string(::getpid());
  std::remove(path.c_str());
  pipeline p("health");
  p.source("quiet", trickle(0)).sink("out", sinks::devnull<int>());
  runtime_options o;
  o.health_file = path;
  o.health_interval = 20ms;
  runtime r(p.graph(), o);
  r.start();
  struct stat first {};
  REQUIRE(eventually([&] { return ::stat(path.c_str(), &first) == 0; }, 20s));
  struct stat later {};
  CHECK(eventually(
      [&] {
        return ::stat(path.c_str(), &later) == 0
               && (later.st_mtim.tv_sec != first.st_mtim.tv_sec
                   || later.st_mtim.tv_nsec != first.st_mtim.tv_nsec);
      },
      20s));
  r.stop();
  CHECK(r.wait().ok);
  std::remove(path.c_str());
}

TEST_CASE("a source that fails stops the pipeline with its name, and is still closed") {
  struct broken_source : source {
    std::shared_ptr<std::atomic<bool>> stopped;
    explicit broken_source(std::shared_ptr<std::atomic<bool>> s) : stopped(std::move(s)) {}
    std::vector<message> poll(std::size_t) override {
      throw std::runtime_error("broker unreachable");
    }
    void stop() override { *stopped = true; }
  };
  auto stopped = std::make_shared<std::atomic<bool>>(false);
  pipeline p("source-fails");
  p.source("in", source_spec<int>{"in", "",
                                  [stopped] { return std::make_unique<broken_source>(stopped); }})
      .sink("out", sinks::devnull<int>());
  auto r = run(p);
  REQUIRE_FALSE(r.ok);
  CHECK(failure_text(r) == "source 'in': broker unreachable");
  CHECK(r.failure->code() == "runtime.connector_failed");
  CHECK(r.failure->category() == error_category::external);
  CHECK(r.failure->retryable());
  CHECK(*stopped);
}

namespace {

/// `count` messages over `partitions` partitions, like a Kafka topic: message i has payload i,
/// partition i % partitions and offset i / partitions. Records what is committed.
class partitioned_source : public source {
public:
  partitioned_source(int count, int partitions, std::shared_ptr<commit_log> log)
      : count_(count), partitions_(partitions), log_(std::move(log)) {}
  std::vector<message> poll(std::size_t max) override {
    std::vector<message> out;
    while (out.size() < max && next_ < count_) {
      message m(next_);
      m.set_lineage(
          lineage(origin{0, next_ % partitions_, next_ / partitions_, origin::full_weight}));
      out.push_back(std::move(m));
      ++next_;
    }
    return out;
  }
  bool exhausted() const override { return next_ >= count_; }
  void commit(const std::vector<partition_offset>& positions) override { log_->add(positions); }

private:
  int count_, partitions_;
  int next_ = 0;
  std::shared_ptr<commit_log> log_;
};

} // namespace

TEST_CASE("a step with parallelism runs its instances side by side, each partition in order") {
  static constexpr int total = 400, partitions = 4;
  auto out = std::make_shared<memory_store>();
  auto log = std::make_shared<commit_log>();
  auto active = std::make_shared<std::atomic<int>>(0);
  auto most = std::make_shared<std::atomic<int>>(0);
  pipeline p("parallel");
  p.source("topic",
           source_spec<int>{
               "topic", "",
               [log] { return std::make_unique<partitioned_source>(total, partitions, log); }})
      .map("slow",
           [active, most](const int& x) {
             auto now = ++*active;
             for (int seen = most->load(); now > seen && !most->compare_exchange_weak(seen, now);)
               ;
             std::this_thread::sleep_for(500us);
             --*active;
             return x;
           })
      .filter("odd", [](const int& x) { return x % 2 == 1; })
      .sink("out", sinks::memory<int>(out));
  p.graph().step(*p.graph().find("slow")).parallelism = 4;
  p.graph().step(*p.graph().find("odd")).parallelism = 3;
  runtime_options o;
  o.threads = 4;
  o.max_batch = 16;
  o.credit = 64;
  auto r = run(p, o);
  REQUIRE(r.ok);

  CHECK(r.find("slow")->instances == 4);
  CHECK(r.find("slow")->messages_in == total);
  CHECK(r.find("odd")->instances == 3);
  CHECK(r.find("odd")->dropped == total / 2);
  // The instances ran at the same time (one instance would keep this at 1).
  CHECK(most->load() >= 2);
  // Every odd number once; within each partition in the order the source gave them.
  auto got = out->payloads<int>();
  REQUIRE(got.size() == total / 2);
  std::vector<int> last(partitions, -1);
  std::vector<bool> seen(total);
  for (auto x : got) {
    INFO("payload " << x);
    REQUIRE(x >= 0);
    REQUIRE(x < total);
    CHECK_FALSE(seen[x]);
    seen[x] = true;
    CHECK(x > last[x % partitions]);
    last[x % partitions] = x;
  }
  // Every partition committed to its end, the filtered offsets included.
  std::vector<std::int64_t> committed(partitions, 0);
  for (auto& c : log->all())
    committed[c.partition] = std::max(committed[c.partition], c.offset);
  for (int q = 0; q < partitions; ++q)
    CHECK(committed[q] == total / partitions);
}
