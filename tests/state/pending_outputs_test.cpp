// pending_outputs: which emitted outputs a stateful step writes to its store and erases again,
// applied to a real memory store so that what survives a crash is what is checked.

#include "streams/state/pending_outputs.hpp"

#include "streams/state/state_store.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

using namespace streams;

namespace {

/// A checkpoint: what `save` adds, written to the store.
void checkpoint(pending_outputs& p, state_store& store) {
  write_batch b;
  p.save(b);
  store.write(b);
}

/// Every record in the store with its value: what a restarted step would emit again.
std::vector<std::pair<std::string, std::string>> stored(const state_store& store) {
  std::vector<std::pair<std::string, std::string>> out;
  store.scan("", [&](std::string_view k, std::string_view v) { out.emplace_back(k, v); });
  return out;
}

using records = std::vector<std::pair<std::string, std::string>>;

} // namespace

TEST_SUITE("state.pending_outputs") {

  TEST_CASE("ids are consecutive, and an output delivered before a checkpoint is never written") {
    auto store = make_memory_store();
    pending_outputs p;
    auto a = p.add("a", "1", false);
    auto b = p.add("b", "2", false);
    CHECK(b == a + 1);
    CHECK(p.next_id() == b + 1);
    p.delivered(a);
    checkpoint(p, *store);
    CHECK(stored(*store) == records{{"b", "2"}});
    p.delivered(b);
    checkpoint(p, *store);
    CHECK(stored(*store).empty());
  }

  TEST_CASE("held: the records on their way, and those delivered until a save erases them") {
    auto store = make_memory_store();
    pending_outputs p;
    auto a = p.add("a", "1", false);
    p.add("b", "2", false);
    checkpoint(p, *store); // both stored
    p.add("c", "3", false);
    p.delivered(a);
    using held = std::unordered_set<std::string>;
    CHECK(p.held() == held{"a", "b", "c"}); // a: delivered, its record not yet erased
    checkpoint(p, *store);
    CHECK(p.held() == held{"b", "c"});
  }

  TEST_CASE("deliveries out of order, repeated or unknown erase exactly their own records") {
    auto store = make_memory_store();
    pending_outputs p;
    std::vector<std::uint64_t> ids;
    for (auto r : {"a", "b", "c", "d"})
      ids.push_back(p.add(r, std::string("v") + r, false));
    checkpoint(p, *store);
    CHECK(stored(*store).size() == 4);
    p.delivered(ids[2]);
    p.delivered(ids[2]);     // twice
    p.delivered(ids[3] + 7); // never handed out
    p.delivered(0);
    checkpoint(p, *store);
    CHECK(stored(*store) == records{{"a", "va"}, {"b", "vb"}, {"d", "vd"}});
    p.delivered(ids[0]);
    p.delivered(ids[3]);
    checkpoint(p, *store);
    CHECK(stored(*store) == records{{"b", "vb"}});
    auto e = p.add("e", "ve", false); // after the front was dropped, ids go on
    CHECK(e == ids[3] + 1);
    p.delivered(ids[1]);
    checkpoint(p, *store);
    CHECK(stored(*store) == records{{"e", "ve"}});
  }

  TEST_CASE("first emissions only: the same records written and erased, without searching for "
            "newer emissions") {
    for (bool first : {true, false}) {
      CAPTURE(first);
      auto store = make_memory_store();
      pending_outputs p;
      auto a = p.add("a", "1", false, first);
      auto b = p.add("b", "2", false, first);
      checkpoint(p, *store);
      CHECK(stored(*store) == records{{"a", "1"}, {"b", "2"}});
      p.delivered(b);
      auto c = p.add("c", "3", false, first);
      checkpoint(p, *store);
      CHECK(stored(*store) == records{{"a", "1"}, {"c", "3"}});
      p.delivered(a);
      p.delivered(c);
      checkpoint(p, *store);
      CHECK(stored(*store).empty());
      auto updated = p.add("a", "4", false); // emitted again: no first emission
      p.add("d", "5", false, first);
      checkpoint(p, *store);
      CHECK(stored(*store) == records{{"a", "4"}, {"d", "5"}});
      p.delivered(updated);
      checkpoint(p, *store);
      CHECK(stored(*store) == records{{"d", "5"}});
    }
  }

  TEST_CASE("a record emitted anew keeps its newest emission until that one is delivered") {
    auto store = make_memory_store();
    pending_outputs p;
    auto old = p.add("w", "old", false);
    checkpoint(p, *store);
    auto updated = p.add("w", "new", false); // a window updated by late data
    p.delivered(old);
    checkpoint(p, *store);
    CHECK(stored(*store) == records{{"w", "new"}});
    p.delivered(updated);
    checkpoint(p, *store);
    CHECK(stored(*store).empty());
  }

  TEST_CASE("an older stored emission delivered first does not outlive a newer one delivered "
            "before the next checkpoint") {
    auto store = make_memory_store();
    pending_outputs p;
    auto old = p.add("w", "old", false);
    checkpoint(p, *store);
    auto updated = p.add("w", "new", false);
    p.delivered(old);
    p.delivered(updated); // both delivered: nothing may be emitted again after a crash
    checkpoint(p, *store);
    CHECK(stored(*store).empty());
  }

  TEST_CASE("a keyed output's record is the prefix, key and numbers, built when written") {
    auto store = make_memory_store();
    pending_outputs p(std::string("step\0f", 6));
    auto a = p.add_keyed("k", {-1, 2}, "1");
    auto b = p.add_keyed("k", {-1, 3}, "2");
    std::string b_record("step\0f\0\0\0\x01k", 11); // length-prefixed key
    for (auto n : {-1, 3}) // order-preserving: sign bit flipped, big-endian
      for (int shift = 56; shift >= 0; shift -= 8)
        b_record.push_back(static_cast<char>(
            ((static_cast<std::uint64_t>(n) ^ (std::uint64_t{1} << 63)) >> shift) & 0xff));
    p.delivered(a);
    CHECK(p.held() == std::unordered_set<std::string>{b_record});
    checkpoint(p, *store);
    CHECK(stored(*store) == records{{b_record, "2"}});
    p.delivered(b);
    checkpoint(p, *store);
    CHECK(stored(*store).empty());
  }

  TEST_CASE("a keyed output emitted anew is the same record: only its newest emission stays") {
    auto store = make_memory_store();
    pending_outputs p("w");
    auto old = p.add_keyed("k", {1, 2}, "old", true);
    checkpoint(p, *store);
    auto updated = p.add_keyed("k", {1, 2}, "new"); // a window updated by late data
    p.delivered(old);
    checkpoint(p, *store);
    REQUIRE(stored(*store).size() == 1);
    CHECK(stored(*store).front().second == "new");
    p.delivered(updated);
    checkpoint(p, *store);
    CHECK(stored(*store).empty());
  }

  TEST_CASE("outputs restored from the store are erased once delivered, not written again") {
    auto store = make_memory_store();
    write_batch b;
    b.put("r", "restored");
    store->write(b);
    pending_outputs p;
    auto id = p.add("r", "", true);
    auto fresh = p.add("", "", false); // no store: only an id
    checkpoint(p, *store);
    CHECK(stored(*store) == records{{"r", "restored"}});
    p.delivered(fresh);
    p.delivered(id);
    checkpoint(p, *store);
    CHECK(stored(*store).empty());
  }

} // TEST_SUITE
