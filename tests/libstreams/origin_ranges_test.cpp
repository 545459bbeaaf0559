#include "streams/origin_ranges.hpp"

#include "streams/commit_tracker.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <tuple>
#include <vector>

using namespace streams;

namespace {

origin at(std::int64_t offset, std::int32_t partition = 0, std::uint32_t source = 0,
          std::uint64_t weight = origin::full_weight) {
  return origin{source, partition, offset, weight};
}

/// The origins the ranges stand for, one per offset, sorted: what must equal what was added.
std::vector<std::tuple<std::uint32_t, std::int32_t, std::int64_t, std::uint64_t>>
expand(const origin_ranges& r) {
  std::vector<std::tuple<std::uint32_t, std::int32_t, std::int64_t, std::uint64_t>> out;
  for (auto& x : r.ranges())
    for (auto o = x.first; o < x.end(); ++o)
      out.emplace_back(x.source, x.partition, o, x.weight);
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace

TEST_SUITE("origin_ranges") {

  TEST_CASE("consecutive offsets of one partition become one range") {
    origin_ranges r;
    CHECK(r.empty());
    for (std::int64_t o = 10; o < 1010; ++o)
      r.add(at(o));
    REQUIRE(r.ranges().size() == 1);
    CHECK(r.ranges()[0] == origin_range{0, 0, 10, 1000, origin::full_weight});
    CHECK(r.origins() == 1000);
  }

  TEST_CASE("interleaved partitions and sources each extend their own range") {
    origin_ranges r;
    for (std::int64_t o = 0; o < 100; ++o) {
      r.add(at(o, 0));
      r.add(at(o + 500, 1));
      r.add(at(o, 0, 1)); // partition 0 of another source
    }
    CHECK(r.ranges()
          == std::vector<origin_range>{{0, 0, 0, 100, origin::full_weight},
                                       {0, 1, 500, 100, origin::full_weight},
                                       {1, 0, 0, 100, origin::full_weight}});
    CHECK(r.origins() == 300);
  }

  TEST_CASE("a gap, a step back, a repeat or another weight starts a new range") {
    origin_ranges r;
    const auto half = origin::full_weight / 2;
    std::vector<origin> added = {
        at(0), at(1), at(3), at(2), at(2), at(3), at(4), at(4, 0, 0, half), at(5, 0, 0, half),
        at(6)};
    for (auto& o : added)
      r.add(o);
    CHECK(r.ranges()
          == std::vector<origin_range>{{0, 0, 0, 2, origin::full_weight},   // 0 1
                                       {0, 0, 3, 1, origin::full_weight},   // 3: a gap
                                       {0, 0, 2, 1, origin::full_weight},   // 2: a step back
                                       {0, 0, 2, 3, origin::full_weight},   // 2 again, then 3 4
                                       {0, 0, 4, 2, half},                  // 4 5: halves
                                       {0, 0, 6, 1, origin::full_weight}}); // 6: whole again
    // Nothing lost, nothing merged away: every origin is there once per time it was added.
    std::vector<std::tuple<std::uint32_t, std::int32_t, std::int64_t, std::uint64_t>> want;
    for (auto& o : added)
      want.emplace_back(o.source, o.partition, o.offset, o.weight);
    std::sort(want.begin(), want.end());
    CHECK(expand(r) == want);
    CHECK(r.origins() == added.size());
  }

  TEST_CASE("adding ranges merges them like their origins one by one") {
    origin_ranges by_range, by_origin;
    std::vector<origin_range> parts = {{0, 0, 0, 5, origin::full_weight},
                                       {0, 1, 0, 3, origin::full_weight},
                                       {0, 0, 5, 5, origin::full_weight},
                                       {0, 0, 12, 2, origin::full_weight},
                                       {0, 1, 3, 1, origin::full_weight}};
    for (auto& p : parts) {
      by_range.add(p);
      for (auto o = p.first; o < p.end(); ++o)
        by_origin.add(at(o, p.partition, p.source, p.weight));
    }
    CHECK(by_range.ranges() == by_origin.ranges());
    CHECK(by_range.ranges()
          == std::vector<origin_range>{{0, 0, 0, 10, origin::full_weight},
                                       {0, 1, 0, 4, origin::full_weight},
                                       {0, 0, 12, 2, origin::full_weight}});
    CHECK(by_range.origins() == 16);
  }

  TEST_CASE("a lineage split among messages comes back whole") {
    lineage l(at(7));
    auto rest = l.split(3);
    origin_ranges r;
    r.add(l);
    for (auto& p : rest)
      r.add(p);
    commit_tracker t;
    t.track(0, 7);
    for (auto& x : r.ranges())
      t.done(x);
    CHECK(t.take_commits() == std::vector<partition_offset>{{0, 8}});
  }

  TEST_CASE("take hands the ranges over and starts afresh") {
    origin_ranges r;
    r.add(at(0));
    r.add(at(1));
    auto taken = r.take();
    CHECK(taken == std::vector<origin_range>{{0, 0, 0, 2, origin::full_weight}});
    CHECK(r.empty());
    CHECK(r.origins() == 0);
    r.add(at(2)); // does not extend the range handed over
    CHECK(r.ranges() == std::vector<origin_range>{{0, 0, 2, 1, origin::full_weight}});
  }

  TEST_CASE("released ranges complete exactly the offsets that were held") {
    // A step holds 0..999 of two partitions, read interleaved, and releases them at once.
    commit_tracker t;
    origin_ranges held;
    for (std::int64_t o = 0; o < 1000; ++o)
      for (std::int32_t p : {0, 1}) {
        t.track(p, o);
        if (o < 600 || p == 0) // partition 1's offsets from 600 on are still in flight
          held.add(at(o, p));
      }
    CHECK(held.ranges().size() == 2);
    for (auto& x : held.ranges())
      t.done(x);
    std::vector<partition_offset> commits = t.take_commits();
    std::sort(commits.begin(), commits.end(),
              [](auto& a, auto& b) { return a.partition < b.partition; });
    CHECK(commits == std::vector<partition_offset>{{0, 1000}, {1, 600}});
    CHECK(t.in_flight() == 400);
  }

} // TEST_SUITE
