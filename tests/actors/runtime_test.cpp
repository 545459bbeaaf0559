#include "streams/actors/runtime.hpp"

#include "streams/error.hpp"
#include "streams/pipeline.hpp"
#include "streams/sinks/stream_sinks.hpp"
#include "streams/sources/memory_source.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <thread>

using namespace streams;
using namespace std::chrono_literals;

namespace {

std::vector<int> iota(int n) {
  std::vector<int> v(n);
  for (int i = 0; i < n; ++i)
    v[i] = i;
  return v;
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
  auto r = b.branch("route").route("parity", {"even", "odd"}, [](const int& x) {
    return x % 2 == 0 ? "even" : "odd";
  });
  r.branch("even").sink("evens", sinks::memory<int>(evens));
  r.branch("odd").sink("odds", sinks::memory<int>(odds));
  b.branch("copy").map("negate", [](const int& x) { return -x; }).sink("copies", sinks::memory<int>(copies));
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
