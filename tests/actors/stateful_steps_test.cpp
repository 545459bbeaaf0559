// Stateful steps (reduce, stateful_map) run by the local runtime: key routing under
// parallelism, state in a real LMDB directory, inputs committed only once their state is
// durable, and a stop and restart that neither loses nor double-counts.

#include "streams/actors/runtime.hpp"

#include "streams/pipeline.hpp"
#include "streams/sinks/stream_sinks.hpp"
#include "streams/sources/memory_source.hpp"

#include "support/child_process.hpp"
#include "support/run_process.hpp"

#include <doctest/doctest.h>

#include <map>
#include <regex>
#include <thread>

using namespace streams;
using namespace std::chrono_literals;

namespace {

using counts = windowed<std::uint64_t>;

/// Integers at offsets [from, to) of partition 0; when `endless`, it then waits for more
/// that never come, as a Kafka topic does, until the pipeline is stopped.
class range_source : public source {
public:
  range_source(std::int64_t from, std::int64_t to, bool endless, std::shared_ptr<commit_log> log)
      : next_(from), to_(to), endless_(endless), log_(std::move(log)) {}

  std::vector<message> poll(std::size_t max) override {
    std::vector<message> out;
    for (; next_ < to_ && out.size() < max; ++next_) {
      message m(next_);
      m.set_lineage(lineage(origin{0, 0, next_, origin::full_weight}));
      m.set_timestamp(1'000'000 + next_);
      out.push_back(std::move(m));
    }
    return out;
  }
  bool exhausted() const override { return !endless_ && next_ >= to_; }
  void commit(const std::vector<partition_offset>& positions) override { log_->add(positions); }

private:
  std::int64_t next_;
  std::int64_t to_;
  bool endless_;
  std::shared_ptr<commit_log> log_;
};

source_spec<std::int64_t> range(std::int64_t from, std::int64_t to, bool endless,
                                std::shared_ptr<commit_log> log) {
  return {"numbers", "a range",
          [=] { return std::make_unique<range_source>(from, to, endless, log); }};
}

std::string key_of(const std::int64_t& v) { return "k" + std::to_string(v % 5); }

/// Counts in windows of 7 per key (key_of), then a running total per key (a stateful step
/// after another) into `out`.
pipeline chained(source_spec<std::int64_t> numbers, std::shared_ptr<memory_store> out) {
  pipeline p("chained");
  p.source("numbers", std::move(numbers))
      .reduce<accumulators::count<std::int64_t>>("counts", windows::count(7), key_of)
      .stateful_map<std::uint64_t>(
          "totals", [](const counts& c) { return c.key; },
          [](const counts& c, keyed_state<std::uint64_t>& t) {
            t.put(t.get_or(0) + c.value);
            return t.get_or(0);
          })
      .sink("out", sinks::memory<std::uint64_t>(std::move(out)));
  return p;
}

/// Each key's last total in `out`.
std::map<std::string, std::uint64_t> last_totals(const memory_store& out) {
  std::map<std::string, std::uint64_t> last;
  for (auto& m : out.messages())
    last[*m.key()] = std::max(last[*m.key()], m.payload<std::uint64_t>());
  return last;
}

/// numbers -> counts per key in windows of `n` -> out
pipeline counting(source_spec<std::int64_t> src, std::size_t n, std::size_t parallelism,
                  std::shared_ptr<memory_store> out) {
  pipeline p("keyed-counts");
  p.source("numbers", std::move(src))
      .reduce<accumulators::count<std::int64_t>>("counts", windows::count(n), key_of)
      .sink("out", sinks::memory<counts>(std::move(out)));
  p.graph().step(*p.graph().find("counts")).parallelism = parallelism;
  return p;
}

std::map<std::string, std::uint64_t> totals(const memory_store& out) {
  std::map<std::string, std::uint64_t> t;
  for (auto& c : out.payloads<counts>())
    t[c.key] += c.value;
  return t;
}

std::int64_t last_commit(const commit_log& log) {
  auto all = log.all();
  return all.empty() ? -1 : all.back().offset;
}

} // namespace

TEST_CASE("reduce: keyed counts through the runtime, every input counted once, all committed") {
  for (std::size_t parallelism : {1, 3}) {
    CAPTURE(parallelism);
    test::temp_directory dir;
    auto out = std::make_shared<memory_store>();
    auto log = std::make_shared<commit_log>();
    runtime_options o;
    o.state_dir = dir.path();
    o.commit_interval = 50ms;
    auto r = run(counting(range(0, 10'000, false, log), 7, parallelism, out), o);
    REQUIRE(r.ok);
    auto t = totals(*out);
    REQUIRE(t.size() == 5);
    for (auto& [key, n] : t)
      CHECK(n == 2000);
    // Each key's windows are whole (7) but for its last, partial one at the end of input.
    std::map<std::string, int> partial;
    for (auto& c : out->payloads<counts>())
      if (c.value != 7)
        ++partial[c.key];
    for (auto& [key, n] : partial)
      CHECK(n <= 1);
    CHECK(last_commit(*log) == 10'000);
    CHECK(r.find("counts")->instances == parallelism);
  }
}

TEST_CASE("reduce: parallelism routes by key, so each key's windows hold its messages in order") {
  test::temp_directory dir;
  auto out = std::make_shared<memory_store>();
  pipeline p("keyed-order");
  p.source("numbers", range(0, 5'000, false, std::make_shared<commit_log>()))
      .reduce<accumulators::collect<std::int64_t>>("windows", windows::count(10), key_of)
      .sink("out", sinks::memory<windowed<std::vector<std::int64_t>>>(out));
  p.graph().step(*p.graph().find("windows")).parallelism = 3;
  runtime_options o;
  o.state_dir = dir.path();
  REQUIRE(run(p, o).ok);
  std::map<std::string, std::vector<std::int64_t>> seen;
  for (auto& w : out->payloads<windowed<std::vector<std::int64_t>>>()) {
    for (auto v : w.value)
      CHECK(key_of(v) == w.key);
    auto& s = seen[w.key];
    s.insert(s.end(), w.value.begin(), w.value.end());
  }
  REQUIRE(seen.size() == 5);
  for (auto& [key, values] : seen) {
    CHECK(values.size() == 1000);
    CHECK(std::is_sorted(values.begin(), values.end())); // one instance, in order
  }
}

TEST_CASE("reduce: a stop keeps open windows in LMDB, a restart replaying old offsets is exact") {
  test::temp_directory dir;
  auto out = std::make_shared<memory_store>();
  auto log = std::make_shared<commit_log>();
  runtime_options o;
  o.state_dir = dir.path();
  o.commit_interval = 20ms;
  auto p1 = counting(range(0, 1'003, true, log), 10, 2, out);
  runtime first(p1.graph(), o);
  first.start();
  // Inputs are committed once a checkpoint has made the state holding them durable.
  REQUIRE(test::eventually([&] { return last_commit(*log) == 1'003; }, 10s));
  first.stop();
  REQUIRE(first.wait().ok);
  auto before = totals(*out);
  std::uint64_t emitted = 0;
  for (auto& [k, n] : before)
    emitted += n;
  CHECK(emitted == 1'000); // 5 keys x 20 full windows; 3 messages wait in open windows

  // The restart replays from offset 500, as if the commits had lagged: the replay guard skips
  // what the state holds, and a parallelism of 3 now routes keys to other instances.
  auto p2 = counting(range(500, 2'000, false, log), 10, 3, out);
  REQUIRE(run(p2, o).ok);
  auto t = totals(*out);
  REQUIRE(t.size() == 5);
  for (auto& [key, n] : t)
    CHECK(n == 400);
}

TEST_CASE("reduce: an unwritable state directory fails start() naming it") {
  test::temp_directory dir;
  auto file = dir.file("a-file");
  std::fclose(std::fopen(file.c_str(), "w"));
  runtime_options o;
  o.state_dir = file + "/state";
  auto out = std::make_shared<memory_store>();
  auto p = counting(range(0, 10, false, std::make_shared<commit_log>()), 2, 1, out);
  runtime r(p.graph(), o);
  try {
    r.start();
    FAIL("start() succeeded");
  } catch (const std::exception& e) {
    CHECK(std::string(e.what()).find(file) != std::string::npos);
  }
}

TEST_CASE("reduce: a state directory of another layout fails start() naming both layouts") {
  test::temp_directory dir;
  auto out = std::make_shared<memory_store>();
  auto p = counting(range(0, 10, false, std::make_shared<commit_log>()), 2, 1, out);
  auto where = dir.path() + "/" + p.graph().name();
  {
    auto old = open_lmdb_store(where);
    write_batch b;
    b.put(std::string("\0layout", 7), "1");
    old->write(b);
  }
  runtime_options o;
  o.state_dir = dir.path();
  runtime r(p.graph(), o);
  try {
    r.start();
    FAIL("start() succeeded");
  } catch (const std::exception& e) {
    CHECK(std::string(e.what()).find(where + ": written with state layout 1") != std::string::npos);
  }
  CHECK(out->payloads<counts>().empty());
}

TEST_CASE("stateful_map: running totals per key survive a stop and a replaying restart") {
  test::temp_directory dir;
  auto out = std::make_shared<memory_store>();
  auto log = std::make_shared<commit_log>();
  runtime_options o;
  o.state_dir = dir.path();
  o.commit_interval = 20ms;
  auto totals_of = [&](source_spec<std::int64_t> src, std::size_t parallelism) {
    auto p = std::make_unique<pipeline>("totals");
    p->source("numbers", std::move(src))
        .stateful_map<std::int64_t>("totals", key_of,
                                    [](const std::int64_t& v, keyed_state<std::int64_t>& t) {
                                      auto sum = t.get_or(0) + v;
                                      t.put(sum);
                                      return sum;
                                    })
        .sink("out", sinks::memory<std::int64_t>(out));
    p->graph().step(*p->graph().find("totals")).parallelism = parallelism;
    return p;
  };
  auto p1 = totals_of(range(0, 600, true, log), 2);
  runtime first(p1->graph(), o);
  first.start();
  REQUIRE(test::eventually([&] { return last_commit(*log) == 600; }, 10s));
  first.stop();
  REQUIRE(first.wait().ok);
  // Restarted from offset 300 with another parallelism: 300..599 are in the state already.
  REQUIRE(run(*totals_of(range(300, 1000, false, log), 3), o).ok);
  std::map<std::string, std::int64_t> last;
  std::size_t outputs = 0;
  for (auto& m : out->messages()) {
    last[*m.key()] = std::max(last[*m.key()], m.payload<std::int64_t>());
    ++outputs;
  }
  CHECK(outputs == 1000); // one output per input: no replayed input came out twice
  REQUIRE(last.size() == 5);
  for (int k = 0; k < 5; ++k) {
    std::int64_t want = 0;
    for (std::int64_t v = k; v < 1000; v += 5)
      want += v;
    CHECK(last["k" + std::to_string(k)] == want);
  }
}

TEST_CASE("reduce then stateful_map: at the end of the input each waits for the next to release") {
  // The reduce step's windows are inputs the stateful map holds until its last checkpoint:
  // only once that has acknowledged them may the reduce step forget them, and the source
  // commit what both released.
  test::temp_directory dir;
  auto out = std::make_shared<memory_store>();
  auto log = std::make_shared<commit_log>();
  auto p = chained(range(0, 10'000, false, log), out);
  p.graph().step(*p.graph().find("counts")).parallelism = 2;
  runtime_options o;
  o.state_dir = dir.path();
  o.commit_interval = 1h; // no checkpoint but the last: it alone releases everything
  REQUIRE(run(p, o).ok);
  CHECK(last_commit(*log) == 10'000);
  CHECK(last_totals(*out)
        == std::map<std::string, std::uint64_t>{
            {"k0", 2000}, {"k1", 2000}, {"k2", 2000}, {"k3", 2000}, {"k4", 2000}});
  auto store = open_lmdb_store(dir.path() + "/chained");
  std::size_t undelivered = 0;
  store->scan(std::string("counts\0f", 8),
              [&](std::string_view, std::string_view) { ++undelivered; });
  CHECK(undelivered == 0);
}

TEST_CASE("reduce then stateful_map, run twice: the second run's windows are all folded") {
  // The reduce step numbers its outputs from 1 in every run; under the run's own origin the
  // stateful map's replay marks of the first run do not take them for replays.
  test::temp_directory dir;
  auto out = std::make_shared<memory_store>();
  auto run_over = [&](std::int64_t from, std::int64_t to) {
    runtime_options o;
    o.state_dir = dir.path();
    o.commit_interval = 50ms;
    return run(chained(range(from, to, false, std::make_shared<commit_log>()), out), o).ok;
  };
  REQUIRE(run_over(0, 3'500));
  REQUIRE(run_over(3'500, 7'000));
  CHECK(last_totals(*out)
        == std::map<std::string, std::uint64_t>{
            {"k0", 1400}, {"k1", 1400}, {"k2", 1400}, {"k3", 1400}, {"k4", 1400}});
}

TEST_CASE("reduce: at the end of a finite input its windows are delivered, never stored") {
  // 2000 keys with 10 messages each in count windows of 100: every window is still open
  // when the input ends, and all of them fire at once. The last checkpoint waits for their
  // delivery, so none is written to LMDB (the only checkpoint of this run: no cadence).
  test::temp_directory dir;
  auto out = std::make_shared<memory_store>();
  pipeline p("end-of-input");
  p.source("numbers", range(0, 20'000, false, std::make_shared<commit_log>()))
      .reduce<accumulators::count<std::int64_t>>(
          "counts", windows::count(100),
          [](const std::int64_t& v) { return "k" + std::to_string(v % 2000); })
      .sink("out", sinks::memory<counts>(out));
  runtime_options o;
  o.state_dir = dir.path();
  o.commit_interval = 1h;
  REQUIRE(run(p, o).ok);
  CHECK(out->payloads<counts>().size() == 2000);
  // What LMDB's own tool says the run wrote: 2000 windows' records (30 bytes of key each at
  // the least) would have taken 15 pages of 4 KiB or more.
  auto r = test::run_process({"mdb_stat", "-e", dir.path() + "/end-of-input"});
  INFO("mdb_stat: " << r.out << r.err);
  REQUIRE(r.exit_code == 0);
  std::smatch pages;
  REQUIRE(std::regex_search(r.out, pages, std::regex(R"(Number of pages used: ([0-9]+))")));
  CHECK(std::stol(pages[1]) < 10);
}
