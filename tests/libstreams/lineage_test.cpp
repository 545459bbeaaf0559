#include "streams/lineage.hpp"

#include "libstreams/support/messages.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace streams;
using streams::test::full;
using streams::test::weight_for;

namespace {

std::vector<const lineage*> all_pieces(const lineage& kept, const std::vector<lineage>& rest) {
  std::vector<const lineage*> out{&kept};
  for (auto& l : rest)
    out.push_back(&l);
  return out;
}

} // namespace

TEST_SUITE("lineage") {

  TEST_CASE("split into n pieces adds up exactly to the original weight") {
    for (std::size_t n : {1u, 2u, 3u, 7u}) {
      CAPTURE(n);
      lineage l(origin{2, 5, 42, origin::full_weight});
      auto rest = l.split(n);
      REQUIRE(rest.size() == n - 1);
      auto pieces = all_pieces(l, rest);
      for (auto p : pieces) {
        REQUIRE(p->origins().size() == 1);
        auto& o = p->origins().front();
        CHECK(o.source == 2);
        CHECK(o.partition == 5);
        CHECK(o.offset == 42);
        CHECK(o.weight > 0);
      }
      CHECK(weight_for(pieces, origin{2, 5, 42, 0}) == full());
    }
  }

  TEST_CASE("split into one piece leaves the lineage as it was") {
    lineage l(origin{0, 0, 7, origin::full_weight});
    auto rest = l.split(1);
    CHECK(rest.empty());
    CHECK(l.origins().front().weight == origin::full_weight);
  }

  TEST_CASE("split of a weight that does not divide evenly loses nothing") {
    // 10 = 4 + 3 + 3: the kept piece carries the remainder.
    lineage l(origin{0, 0, 1, 10});
    auto rest = l.split(3);
    CHECK(weight_for(all_pieces(l, rest), origin{0, 0, 1, 0}) == 10);
    // Fewer units than pieces: some pieces carry nothing, the total is still exact.
    lineage small(origin{0, 0, 1, 2});
    auto small_rest = small.split(7);
    CHECK(weight_for(all_pieces(small, small_rest), origin{0, 0, 1, 0}) == 2);
  }

  TEST_CASE("split of a lineage with several origins splits each of them exactly") {
    lineage l(origin{0, 0, 10, origin::full_weight});
    l.absorb(lineage(origin{0, 1, 20, origin::full_weight}));
    l.absorb(lineage(origin{1, 0, 30, origin::full_weight / 3})); // already a piece
    auto rest = l.split(7);
    auto pieces = all_pieces(l, rest);
    for (auto p : pieces)
      CHECK(p->origins().size() == 3);
    CHECK(weight_for(pieces, origin{0, 0, 10, 0}) == full());
    CHECK(weight_for(pieces, origin{0, 1, 20, 0}) == full());
    CHECK(weight_for(pieces, origin{1, 0, 30, 0}) == origin::full_weight / 3);
  }

  TEST_CASE("pieces of pieces still add up to the whole") {
    lineage l(origin{0, 0, 5, origin::full_weight});
    auto rest = l.split(3);
    auto sub = rest[1].split(7);
    auto pieces = all_pieces(l, rest);
    for (auto& s : sub)
      pieces.push_back(&s);
    CHECK(weight_for(pieces, origin{0, 0, 5, 0}) == full());
  }

  TEST_CASE("absorb appends the other lineage's origins in order") {
    lineage batch;
    CHECK(batch.empty());
    batch.absorb(lineage(origin{0, 0, 1, origin::full_weight}));
    batch.absorb(lineage(origin{0, 2, 9, 17}));
    lineage two(origin{1, 0, 3, origin::full_weight});
    two.absorb(lineage(origin{1, 0, 4, origin::full_weight}));
    batch.absorb(two);
    REQUIRE(batch.origins().size() == 4);
    CHECK(batch.origins()[0] == origin{0, 0, 1, origin::full_weight});
    CHECK(batch.origins()[1] == origin{0, 2, 9, 17});
    CHECK(batch.origins()[2] == origin{1, 0, 3, origin::full_weight});
    CHECK(batch.origins()[3] == origin{1, 0, 4, origin::full_weight});
    CHECK(two.origins().size() == 2); // the absorbed lineage is not consumed
  }

  TEST_CASE("absorbing an empty lineage changes nothing, and a copy is independent") {
    lineage one(origin{0, 0, 1, origin::full_weight});
    one.absorb(lineage());
    REQUIRE(one.origins().size() == 1);
    CHECK(one.origins()[0] == origin{0, 0, 1, origin::full_weight});

    lineage empty;
    empty.absorb(one);
    REQUIRE(empty.origins().size() == 1);

    lineage batch = one;
    batch.absorb(lineage(origin{0, 0, 2, origin::full_weight}));
    lineage copy = batch;
    copy.absorb(lineage(origin{0, 0, 3, origin::full_weight}));
    copy.split(2);
    CHECK(one.origins().size() == 1);
    CHECK(batch.origins().size() == 2);
    CHECK(batch.origins()[1].weight == origin::full_weight);
    CHECK(copy.origins().size() == 3);
    CHECK(copy.origins()[1].weight < origin::full_weight);
  }

  TEST_CASE("set_source stamps every origin and nothing else") {
    lineage l(origin{0, 1, 10, 5});
    l.absorb(lineage(origin{0, 2, 20, 6}));
    l.set_source(3);
    REQUIRE(l.origins().size() == 2);
    CHECK(l.origins()[0] == origin{3, 1, 10, 5});
    CHECK(l.origins()[1] == origin{3, 2, 20, 6});
  }

} // TEST_SUITE
