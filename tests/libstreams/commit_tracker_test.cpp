#include "streams/commit_tracker.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>
#include <vector>

using namespace streams;

namespace {

origin whole(std::int64_t offset, std::int32_t partition = 0) {
  return origin{0, partition, offset, origin::full_weight};
}

origin piece(std::int64_t offset, std::uint64_t weight, std::int32_t partition = 0) {
  return origin{0, partition, offset, weight};
}

using positions = std::vector<partition_offset>;

positions sorted(positions p) {
  std::sort(p.begin(), p.end(), [](const partition_offset& a, const partition_offset& b) {
    return a.partition < b.partition;
  });
  return p;
}

} // namespace

TEST_SUITE("commit_tracker") {

  TEST_CASE("nothing done, nothing to commit") {
    commit_tracker t;
    CHECK(t.take_commits().empty());
    t.track(0, 0);
    t.track(0, 1);
    CHECK(t.in_flight() == 2);
    CHECK(t.take_commits().empty());
  }

  TEST_CASE("a dropped offset waits for the offsets before it") {
    // Offsets 0..3 handed out; 2 filtered away (its whole weight comes back at once).
    commit_tracker t;
    for (std::int64_t o = 0; o < 4; ++o)
      t.track(0, o);
    t.done(whole(2));
    CHECK(t.take_commits().empty()); // 0 and 1 are still in flight

    t.done(whole(0));
    CHECK(t.take_commits() == positions{{0, 1}});
    CHECK(t.take_commits().empty()); // only positions that moved

    t.done(whole(3));
    CHECK(t.take_commits().empty()); // 1 still holds everything after it back

    t.done(whole(1));
    CHECK(t.take_commits() == positions{{0, 4}});
    CHECK(t.in_flight() == 0);
  }

  TEST_CASE("gaps in offsets do not hold the position back") {
    // Offsets 0, 2, 3 (1 does not exist: compaction, a transaction marker).
    commit_tracker t;
    t.track(0, 0);
    t.track(0, 2);
    t.track(0, 3);
    t.done(whole(2));
    CHECK(t.take_commits().empty());
    t.done(whole(0));
    CHECK(t.take_commits() == positions{{0, 3}}); // 0 and 2 done; 3 is the first not done
    t.done(whole(3));
    CHECK(t.take_commits() == positions{{0, 4}});
    CHECK(t.in_flight() == 0);
  }

  TEST_CASE("large gaps and a first offset far from zero") {
    commit_tracker t;
    t.track(0, 1000);
    t.track(0, 1007);
    t.track(0, 5000);
    t.done(whole(1007));
    t.done(whole(1000));
    CHECK(t.take_commits() == positions{{0, 1008}});
    t.done(whole(5000));
    CHECK(t.take_commits() == positions{{0, 5001}});
  }

  TEST_CASE("the order in which offsets are done does not matter") {
    commit_tracker forward;
    commit_tracker backward;
    for (std::int64_t o = 0; o < 3; ++o) {
      forward.track(0, o);
      backward.track(0, o);
    }
    for (std::int64_t o : {0, 1, 2})
      forward.done(whole(o));
    for (std::int64_t o : {2, 1})
      backward.done(whole(o));
    CHECK(backward.take_commits().empty());
    backward.done(whole(0));
    CHECK(forward.take_commits() == positions{{0, 3}});
    CHECK(backward.take_commits() == positions{{0, 3}});
  }

  TEST_CASE("an offset split into pieces is done when the last piece arrives, in any order") {
    commit_tracker t;
    t.track(0, 0);
    t.track(0, 1);
    const auto third = origin::full_weight / 3;
    const auto first_piece = origin::full_weight - 2 * third; // carries the remainder
    t.done(piece(0, third));
    t.done(piece(1, origin::full_weight / 2));
    t.done(piece(0, third));
    CHECK(t.take_commits().empty());
    CHECK(t.in_flight() == 2);
    t.done(piece(0, first_piece));
    CHECK(t.take_commits() == positions{{0, 1}});
    t.done(piece(1, origin::full_weight / 2));
    CHECK(t.take_commits() == positions{{0, 2}});
    CHECK(t.in_flight() == 0);
  }

  TEST_CASE("a done offset that was never tracked, or is done again, is ignored") {
    commit_tracker t;
    t.track(0, 5);
    t.track(0, 6);
    t.done(whole(3));                      // before the first tracked offset
    t.done(whole(99));                     // after the last
    t.done(piece(7, origin::full_weight)); // in no gap that was tracked
    CHECK(t.take_commits().empty());
    t.done(whole(5));
    t.done(whole(5)); // a duplicate report must not complete offset 6
    CHECK(t.take_commits() == positions{{0, 6}});
    CHECK(t.in_flight() == 1);
  }

  TEST_CASE("partitions are tracked independently") {
    commit_tracker t;
    t.track(0, 10);
    t.track(1, 10);
    t.track(0, 11);
    t.track(2, 0);
    t.track(1, 11);
    CHECK(t.in_flight() == 5);
    t.done(whole(10, 1));
    t.done(whole(11, 1));
    t.done(whole(11, 0));
    CHECK(t.take_commits() == positions{{1, 12}});
    t.done(whole(0, 2));
    t.done(whole(10, 0));
    CHECK(sorted(t.take_commits()) == positions{{0, 12}, {2, 1}});
    CHECK(t.in_flight() == 0);
    CHECK(t.take_commits().empty());
  }

  TEST_CASE("revoke forgets partitions and returns their uncommitted positions") {
    commit_tracker t;
    for (std::int64_t o = 0; o < 3; ++o) {
      t.track(0, o);
      t.track(1, o);
      t.track(2, o);
    }
    t.done(whole(0, 0)); // partition 0: position 1, not yet taken
    t.done(whole(0, 1)); // partition 1: position 1, taken below
    t.done(whole(0, 2)); // partition 2: position 1, stays
    CHECK(sorted(t.take_commits()) == positions{{0, 1}, {1, 1}, {2, 1}});
    t.done(whole(1, 0)); // partition 0 moves on to 2 after the last take
    CHECK(t.in_flight() == 5);

    auto revoked = t.revoke({0, 1, 7});  // 7 was never assigned
    CHECK(revoked == positions{{0, 2}}); // partition 1 has nothing new to commit
    CHECK(t.in_flight() == 2);           // only partition 2's offsets 1 and 2 remain

    // Reports for revoked partitions arrive late: they are ignored.
    t.done(whole(2, 0));
    t.done(whole(1, 1));
    CHECK(t.in_flight() == 2);
    CHECK(t.take_commits().empty());

    t.done(whole(1, 2));
    CHECK(t.take_commits() == positions{{2, 2}});
  }

  TEST_CASE("offsets taken back are no longer in flight: a partition settles without them") {
    commit_tracker t;
    for (std::int64_t o = 0; o < 6; ++o)
      t.track(0, o);
    t.track(1, 0);
    t.done(origin_range{0, 0, 1, 3, origin::full_weight / 2}); // halfway: splits the run
    CHECK_FALSE(t.settled({0}));
    t.take_back(0, 4); // 4 and 5 were held back, never sent
    CHECK(t.in_flight() == 5);
    t.done(whole(0));
    CHECK_FALSE(t.settled({0}));
    t.done(origin_range{0, 0, 1, 3, origin::full_weight - origin::full_weight / 2});
    CHECK(t.settled({0}));
    CHECK_FALSE(t.settled({0, 1})); // partition 1's offset 0 is in flight
    CHECK(t.settled({7}));          // one it never had
    CHECK(t.revoke({0}) == positions{{0, 4}});
    t.take_back(1, 0);
    CHECK(t.settled({1}));
    CHECK(t.in_flight() == 0);
  }

  TEST_CASE("a revoked partition that is assigned again starts afresh") {
    commit_tracker t;
    t.track(0, 0);
    t.track(0, 1);
    t.done(whole(0));
    CHECK(t.revoke({0}) == positions{{0, 1}});
    CHECK(t.in_flight() == 0);
    t.track(0, 40); // resumed elsewhere and handed back later
    CHECK(t.in_flight() == 1);
    t.done(whole(1)); // a late report from before the revoke
    CHECK(t.take_commits().empty());
    t.done(whole(40));
    CHECK(t.take_commits() == positions{{0, 41}});
  }

  TEST_CASE("in_flight counts offsets handed out and not yet done") {
    commit_tracker t;
    CHECK(t.in_flight() == 0);
    for (std::int64_t o = 0; o < 10; ++o)
      t.track(o % 2, o); // even offsets in partition 0, odd ones in partition 1
    CHECK(t.in_flight() == 10);
    t.done(whole(0, 0));
    t.done(whole(1, 1));
    CHECK(t.in_flight() == 8);
    t.done(piece(2, origin::full_weight / 2, 0));
    CHECK(t.in_flight() == 8); // half an offset is not done
    t.done(piece(2, origin::full_weight / 2, 0));
    CHECK(t.in_flight() == 7);
    t.done(whole(2, 1)); // no such offset in partition 1
    CHECK(t.in_flight() == 7);
  }

  TEST_CASE("a range is done offset by offset: gaps and offsets not in flight are skipped") {
    commit_tracker t;
    for (std::int64_t o : {5, 6, 8, 9, 12}) // 7, 10 and 11 do not exist
      t.track(0, o);
    t.done(origin_range{0, 0, 3, 5, origin::full_weight}); // 3..7: 3 and 4 were never tracked
    CHECK(t.take_commits() == positions{{0, 7}});
    CHECK(t.in_flight() == 3);
    t.done(origin_range{0, 0, 9, 3, origin::full_weight}); // 9..11: 8 still holds 9 back
    CHECK(t.take_commits().empty());
    t.done(origin_range{0, 0, 8, 1, origin::full_weight});
    CHECK(t.take_commits() == positions{{0, 10}});         // after 9, the last done
    t.done(origin_range{0, 0, 5, 5, origin::full_weight}); // done again: no effect
    CHECK(t.take_commits().empty());
    CHECK(t.in_flight() == 1);
    t.done(origin_range{0, 0, 10, 100, origin::full_weight}); // 12, and far past the end
    CHECK(t.take_commits() == positions{{0, 13}});
    CHECK(t.in_flight() == 0);
  }

  TEST_CASE("a range of pieces adds its weight to every offset it covers") {
    commit_tracker t;
    for (std::int64_t o = 0; o < 4; ++o)
      t.track(0, o);
    const auto half = origin::full_weight / 2;
    t.done(origin_range{0, 0, 0, 3, half}); // 0..2 half done
    t.done(origin_range{0, 0, 1, 3, half}); // 1..3 half done: 1 and 2 complete, 0 and 3 not
    CHECK(t.take_commits().empty());
    CHECK(t.in_flight() == 4); // 0 holds the done 1 and 2 back
    t.done(origin_range{0, 0, 0, 1, half});
    CHECK(t.take_commits() == positions{{0, 3}});
    CHECK(t.in_flight() == 1);
    t.done(origin_range{0, 0, 3, 1, half});
    CHECK(t.take_commits() == positions{{0, 4}});
    CHECK(t.in_flight() == 0);
  }

  TEST_CASE("ranges of pieces in random order agree with counting offset by offset") {
    // The tracker keeps runs of offsets; a plain map of offset -> weight returned is what it
    // must stay equal to, whatever the ranges split and join.
    std::mt19937_64 random(8);
    for (int round = 0; round < 50; ++round) {
      CAPTURE(round);
      commit_tracker t;
      std::map<std::int64_t, std::uint64_t> model; // tracked offset -> weight returned
      std::int64_t next = 0;
      std::int64_t position = -1;
      auto model_position = [&] {
        auto p = position;
        for (auto& [offset, returned] : model) {
          if (returned < origin::full_weight)
            break;
          p = offset + 1;
        }
        return p;
      };
      for (int step = 0; step < 300; ++step) {
        if (random() % 3 == 0) { // hand out a few, sometimes after a gap
          next += static_cast<std::int64_t>(random() % 4 == 0 ? random() % 5 : 0);
          for (auto n = random() % 20; n > 0; --n) {
            t.track(0, next);
            model[next++] = 0;
          }
          continue;
        }
        auto first = static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(next + 5));
        auto count = static_cast<std::uint32_t>(1 + random() % 30);
        const auto quarter = origin::full_weight / 4;
        t.done(origin_range{0, 0, first, count, quarter});
        for (auto it = model.lower_bound(first); it != model.end() && it->first < first + count;
             ++it)
          it->second += quarter;
        // What is done from the front leaves the model as it leaves the tracker.
        auto moved = model_position() > position;
        position = model_position();
        while (!model.empty() && model.begin()->second >= origin::full_weight)
          model.erase(model.begin());
        REQUIRE(t.take_commits() == (moved ? positions{{0, position}} : positions{}));
        REQUIRE(t.in_flight() == model.size());
      }
    }
  }

} // TEST_SUITE
