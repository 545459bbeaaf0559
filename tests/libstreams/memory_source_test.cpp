#include "streams/sources/memory_source.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace streams;

namespace {

std::int64_t offset_of(const message& m) {
  REQUIRE(m.lineage().origins().size() == 1);
  return m.lineage().origins().front().offset;
}

} // namespace

TEST_SUITE("sources.memory_source") {

  TEST_CASE("messages come with offsets 0..n-1 in partition 0 and full weight") {
    auto log = std::make_shared<commit_log>();
    auto spec = sources::memory<bytes>({"a", "b", "c", "d", "e"}, log);
    auto src = spec.make();
    REQUIRE(src != nullptr);
    CHECK_FALSE(src->exhausted());

    auto first = src->poll(2);
    REQUIRE(first.size() == 2);
    auto rest = src->poll(100);
    REQUIRE(rest.size() == 3);
    CHECK(src->exhausted());
    CHECK(src->poll(100).empty());

    std::vector<message> all = first;
    all.insert(all.end(), rest.begin(), rest.end());
    const std::vector<bytes> payloads{"a", "b", "c", "d", "e"};
    for (std::size_t i = 0; i < all.size(); ++i) {
      CAPTURE(i);
      CHECK(all[i].payload<bytes>() == payloads[i]);
      auto& o = all[i].lineage().origins().front();
      CHECK(o.partition == 0);
      CHECK(o.source == 0); // the runtime fills in the source index
      CHECK(o.weight == origin::full_weight);
      CHECK(offset_of(all[i]) == static_cast<std::int64_t>(i));
      CHECK(all[i].timestamp() > 0); // stamped when polled
    }
  }

  TEST_CASE("poll returns at most max messages") {
    auto src = sources::memory<int>({1, 2, 3}).make();
    CHECK(src->poll(0).empty());
    CHECK_FALSE(src->exhausted());
    auto one = src->poll(1);
    REQUIRE(one.size() == 1);
    CHECK(one[0].payload<int>() == 1);
    auto two = src->poll(2);
    REQUIRE(two.size() == 2);
    CHECK(two[1].payload<int>() == 3);
    CHECK(offset_of(two[1]) == 2);
    CHECK(src->exhausted());
  }

  TEST_CASE("an empty source is exhausted from the start") {
    auto src = sources::memory<bytes>({}).make();
    CHECK(src->exhausted());
    CHECK(src->poll(10).empty());
  }

  TEST_CASE("given messages keep their key, headers and timestamp") {
    message m(bytes("payload"));
    m.set_key(bytes("k"));
    m.add_header("h", "v");
    m.set_timestamp(42);
    auto src = sources::memory_messages<bytes>({m}).make();
    auto out = src->poll(1);
    REQUIRE(out.size() == 1);
    CHECK(out[0].key() == bytes("k"));
    CHECK(*out[0].header("h") == "v");
    CHECK(out[0].timestamp() == 42);
    CHECK(offset_of(out[0]) == 0);
  }

  TEST_CASE("two sources made from one spec each start from the beginning") {
    auto spec = sources::memory<bytes>({"a", "b"});
    auto one = spec.make();
    auto two = spec.make();
    CHECK(one->poll(10).size() == 2);
    auto again = two->poll(10);
    REQUIRE(again.size() == 2);
    CHECK(again[0].payload<bytes>() == "a");
  }

  TEST_CASE("generated messages are made on demand from their index") {
    std::vector<std::size_t> made;
    auto spec = sources::generate<std::size_t>(4, [&](std::size_t i) {
      made.push_back(i);
      return i * i;
    });
    auto src = spec.make();
    CHECK(made.empty());
    auto out = src->poll(3);
    CHECK(made == std::vector<std::size_t>{0, 1, 2});
    REQUIRE(out.size() == 3);
    CHECK(out[2].payload<std::size_t>() == 4);
    CHECK(offset_of(out[2]) == 2);
    CHECK(src->poll(3).size() == 1);
    CHECK(src->exhausted());
  }

  TEST_CASE("commits are recorded in the commit log, in order") {
    auto log = std::make_shared<commit_log>();
    auto src = sources::memory<bytes>({"a", "b", "c"}, log).make();
    src->poll(3);
    CHECK(log->all().empty());
    src->commit({{0, 1}});
    src->commit({{0, 3}});
    CHECK(log->all() == std::vector<partition_offset>{{0, 1}, {0, 3}});
  }

  TEST_CASE("a source without a log accepts commits") {
    auto src = sources::memory<bytes>({"a"}).make();
    src->poll(1);
    CHECK_NOTHROW(src->commit({{0, 1}}));
  }

} // TEST_SUITE
