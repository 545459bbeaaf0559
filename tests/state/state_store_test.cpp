// The behaviour every state store shares, checked once and run against each store: the memory
// store and the LMDB store (the latter starting with a tiny map, so that these tests grow it).

#include "streams/state/state_store.hpp"

#include "state/lmdb_store.hpp"
#include "support/child_process.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace streams;
using namespace std::string_literals;

namespace {

struct memory_kind {
  std::unique_ptr<state_store> store = make_memory_store();
};

struct lmdb_kind {
  test::temp_directory dir;
  std::unique_ptr<state_store> store = detail::open_lmdb_store(dir.file("state"), 64 << 10);
};

using entries = std::vector<std::pair<std::string, std::string>>;

entries scan_all(const state_store& s, std::string_view prefix) {
  entries out;
  s.scan(prefix, [&](std::string_view k, std::string_view v) { out.emplace_back(k, v); });
  return out;
}

/// Keys readably, non-printable bytes in hex, for checks whose failures show both sides.
std::string show(const std::vector<std::string>& keys) {
  std::string out;
  for (auto& k : keys) {
    out += out.empty() ? "\"" : " \"";
    for (unsigned char c : k) {
      if (c >= 0x20 && c < 0x7f) {
        out += static_cast<char>(c);
      } else {
        char hex[8];
        std::snprintf(hex, sizeof(hex), "\\x%02x", c);
        out += hex;
      }
    }
    out += '"';
  }
  return out;
}

/// The keys `scan` visits, shown.
std::string scan_keys(const state_store& s, std::string_view prefix) {
  std::vector<std::string> out;
  s.scan(prefix, [&](std::string_view k, std::string_view) { out.emplace_back(k); });
  return show(out);
}

void put_all(state_store& s, const std::vector<std::string>& keys) {
  write_batch b;
  for (auto& k : keys)
    b.put(k, "v:" + k);
  s.write(b);
}

} // namespace

TYPE_TO_STRING(memory_kind);
TYPE_TO_STRING(lmdb_kind);

TEST_SUITE("state_store") {

  TEST_CASE_TEMPLATE("put, get, overwrite and erase", T, memory_kind, lmdb_kind) {
    T kind;
    auto& s = *kind.store;
    CHECK_FALSE(s.get("a"));
    write_batch b;
    b.put("a", "1");
    b.put("b", "2");
    b.put("a", "3"); // later changes of a batch win
    s.write(b);
    CHECK(s.get("a") == "3");
    CHECK(s.get("b") == "2");
    CHECK_FALSE(s.get("c"));

    write_batch overwrite;
    overwrite.put("b", "two");
    overwrite.erase("a");
    overwrite.erase("never there"); // erasing a missing key is no error
    s.write(overwrite);
    CHECK_FALSE(s.get("a"));
    CHECK(s.get("b") == "two");

    s.write(write_batch{}); // an empty batch changes nothing
    CHECK(scan_all(s, "") == entries{{"b", "two"}});
  }

  TEST_CASE_TEMPLATE("keys and values are bytes", T, memory_kind, lmdb_kind) {
    T kind;
    auto& s = *kind.store;
    auto key = "k\0\xff\x01"s;
    auto value = "\0v\xff\0"s;
    auto large = std::string(1 << 20, '\0') + "end"; // larger than the LMDB store's first map
    std::string longest(max_state_key_size, '\xff');
    write_batch b;
    b.put(key, value);
    b.put("empty value", "");
    b.put("large", large);
    b.put(longest, "longest");
    s.write(b);
    CHECK(s.get(key) == value);
    CHECK_FALSE(s.get("k"s));
    CHECK(s.get("empty value") == "");
    CHECK(s.get("large") == large);
    CHECK(s.get(longest) == "longest");
    CHECK_FALSE(s.get(""));                                       // no write can store these
    CHECK_FALSE(s.get(std::string(max_state_key_size + 1, 'x'))); // two keys
  }

  TEST_CASE_TEMPLATE("scan visits exactly the keys with the prefix, in byte order", T, memory_kind,
                     lmdb_kind) {
    T kind;
    auto& s = *kind.store;
    // Byte order is unsigned: 0xFF sorts last, '\0' right after the shorter key, 'b' (0x62)
    // before 0x7F.
    std::vector<std::string> keys = {"a",       "a\0"s,      "a\0b"s,         "a\x01",  "a\x7f",
                                     "a\x80",   "a\xff",     "a\xff\xff",     "ab",     "b",
                                     "\xff",    "\xff\xff",  "\xff\xff\x00"s, "user/1", "user/1/x",
                                     "user/10", "user/10/x", "user/2/x"};
    put_all(s, keys);

    CHECK(scan_keys(s, "a")
          == show({"a", "a\0"s, "a\0b"s, "a\x01", "ab", "a\x7f", "a\x80", "a\xff", "a\xff\xff"}));
    CHECK(scan_keys(s, "a\0"s) == show({"a\0"s, "a\0b"s}));
    CHECK(scan_keys(s, "a\xff") == show({"a\xff", "a\xff\xff"}));
    // A prefix whose every byte is 0xFF has no successor key: the scan must stop at the end.
    CHECK(scan_keys(s, "\xff") == show({"\xff", "\xff\xff", "\xff\xff\x00"s}));
    CHECK(scan_keys(s, "\xff\xff\x00"s) == show({"\xff\xff\x00"s}));
    // A prefix that is a prefix of other steps' prefixes.
    CHECK(scan_keys(s, "user/1/") == show({"user/1/x"}));
    CHECK(scan_keys(s, "user/1") == show({"user/1", "user/1/x", "user/10", "user/10/x"}));
    CHECK(scan_keys(s, "user/10/") == show({"user/10/x"}));
    // Prefixes between keys, before all keys and after all keys.
    CHECK(scan_keys(s, "aa").empty());
    CHECK(scan_keys(s, "c").empty());
    CHECK(scan_keys(s, "\x01").empty());
    CHECK(scan_keys(s, "\xff\xff\xff").empty());
    // Everything, with the values.
    auto all = scan_all(s, "");
    REQUIRE(all.size() == keys.size());
    auto sorted = keys;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < all.size(); ++i) {
      CHECK(all[i].first == sorted[i]);
      CHECK(all[i].second == "v:" + sorted[i]);
    }
  }

  TEST_CASE_TEMPLATE("a batch that fails applies nothing", T, memory_kind, lmdb_kind) {
    T kind;
    auto& s = *kind.store;
    put_all(s, {"keep", "gone"});

    std::string bad_key;
    SUBCASE("an empty key") {}
    SUBCASE("a key one byte too long") { bad_key.assign(max_state_key_size + 1, 'k'); }
    write_batch b;
    b.put("keep", "changed");
    b.put("new", std::string(256 << 10, 'n')); // so that the LMDB store grows its map first
    b.erase("gone");
    b.put(bad_key, "x"); // the last change fails, after the others were made in the transaction
    b.put("after", "x");
    try {
      s.write(b);
      FAIL("the batch was written");
    } catch (const state_error& e) {
      CHECK(std::string(e.what()).find("a key of " + std::to_string(bad_key.size()) + " bytes")
            != std::string::npos);
    }
    CHECK(s.get("keep") == "v:keep");
    CHECK(s.get("gone") == "v:gone");
    CHECK_FALSE(s.get("new"));
    CHECK_FALSE(s.get("after"));
    CHECK(scan_keys(s, "") == show({"gone", "keep"}));

    // The store goes on working.
    put_all(s, {"next"});
    CHECK(s.get("next") == "v:next");
  }

  TEST_CASE_TEMPLATE("a scan's callback may read the store but not write it", T, memory_kind,
                     lmdb_kind) {
    T kind;
    auto& s = *kind.store;
    put_all(s, {"a/1", "a/2", "b/1"});
    std::vector<std::string> seen;
    s.scan("a/", [&](std::string_view k, std::string_view v) {
      CHECK(s.get(k) == std::string(v));
      CHECK(s.get("b/1") == "v:b/1");
      s.scan("b/", [&](std::string_view k2, std::string_view) { seen.emplace_back(k2); });
      write_batch b;
      b.put("c/1", "x");
      CHECK_THROWS_AS(s.write(b), state_error);
      seen.emplace_back(k);
    });
    CHECK(show(seen) == show({"b/1", "a/1", "b/1", "a/2"}));
    CHECK_FALSE(s.get("c/1"));
    // Nothing is left held: writes work after the scan, also when the callback threw.
    CHECK_THROWS_AS(s.scan("a/", [](auto, auto) { throw std::runtime_error("stop"); }),
                    std::runtime_error);
    put_all(s, {"c/1"});
    CHECK(s.get("c/1") == "v:c/1");
  }

  TEST_CASE_TEMPLATE("two writers and a scanner at the same time", T, memory_kind, lmdb_kind) {
    T kind;
    auto& s = *kind.store;
    constexpr int batches = 60;
    constexpr int per_batch = 10;
    auto key = [](int writer, int i) {
      auto n = std::to_string(i);
      return "w" + std::to_string(writer) + "/" + std::string(6 - n.size(), '0') + n;
    };
    // Values of 2 KiB: the LMDB store's map grows several times while the others read.
    auto value = [](const std::string& k) { return k + std::string(2048, '.'); };

    std::atomic<int> writers_done{0};
    auto writer = [&](int w) {
      for (int b = 0; b < batches; ++b) {
        write_batch batch;
        for (int i = b * per_batch; i < (b + 1) * per_batch; ++i)
          batch.put(key(w, i), value(key(w, i)));
        s.write(batch);
      }
      ++writers_done;
    };

    std::vector<std::string> problems;
    int scans = 0;
    auto scanner = [&] {
      std::size_t last[2] = {0, 0};
      do {
        for (int w = 0; w < 2; ++w) {
          std::vector<std::string> keys;
          s.scan("w" + std::to_string(w) + "/", [&](std::string_view k, std::string_view v) {
            if (v != value(std::string(k)))
              problems.push_back("wrong value under " + std::string(k));
            keys.emplace_back(k);
          });
          // One snapshot: whole batches only, in order, never fewer than before.
          if (keys.size() % per_batch != 0 || keys.size() < last[w])
            problems.push_back("scan of writer " + std::to_string(w) + " saw "
                               + std::to_string(keys.size()) + " keys");
          for (std::size_t i = 0; i < keys.size(); ++i)
            if (keys[i] != key(w, static_cast<int>(i)))
              problems.push_back("unexpected key " + keys[i]);
          last[w] = keys.size();
          ++scans;
        }
      } while (writers_done < 2 && problems.empty());
    };

    std::thread t0(writer, 0), t1(writer, 1), t2(scanner);
    t0.join();
    t1.join();
    t2.join();
    CHECK(problems.empty());
    if (!problems.empty())
      MESSAGE(problems.front());
    CHECK(scans > 0);
    for (int w = 0; w < 2; ++w)
      for (int i = 0; i < batches * per_batch; ++i)
        REQUIRE(s.get(key(w, i)) == value(key(w, i)));
    CHECK(scan_all(s, "").size() == 2 * batches * per_batch);
  }
}

TEST_SUITE("open_state_store") {

  TEST_CASE("the memory store is named by memory_state and keeps nothing") {
    auto s = open_state_store(std::string(memory_state));
    CHECK(s->where() == ":memory:");
    CHECK_FALSE(s->durable());
  }

  TEST_CASE("anything else is an LMDB directory") {
    test::temp_directory dir;
    auto path = dir.file("a/b/state");
    auto s = open_state_store(path);
    CHECK(s->where() == path);
    CHECK(s->durable());
    CHECK(std::filesystem::is_regular_file(path + "/data.mdb"));
  }

  TEST_CASE("an empty name is an error") { CHECK_THROWS_AS(open_state_store(""), state_error); }
}

TEST_SUITE("state.runs") {
  TEST_CASE("runs are counted in the store: each opening of it gets the next number") {
    test::temp_directory dir;
    {
      auto store = open_state_store(dir.file("state"));
      CHECK(next_run(*store) == 1);
      CHECK(next_run(*store) == 2);
    }
    auto again = open_state_store(dir.file("state"));
    CHECK(next_run(*again) == 3);
  }
}

TEST_SUITE("state.state_layout") {
  TEST_CASE("a new store is marked with the layout, and one of another layout is refused") {
    auto store = make_memory_store();
    check_state_layout(*store);
    CHECK(store->get(std::string("\0layout", 7)) == std::string(state_layout));
    check_state_layout(*store); // marked: accepted again

    write_batch other;
    other.put(std::string("\0layout", 7), "9");
    store->write(other);
    try {
      check_state_layout(*store);
      FAIL("a store of layout 9 was accepted");
    } catch (const state_error& e) {
      CHECK(std::string(e.what()).find("written with state layout 9") != std::string::npos);
      CHECK(std::string(e.what()).find(":memory:") != std::string::npos);
    }
  }

  TEST_CASE("steps' records without a layout mark are from before layouts: refused") {
    auto store = make_memory_store();
    write_batch old;
    old.put(std::string("counts\0p", 8) + "k", "pane");
    store->write(old);
    CHECK_THROWS_AS(check_state_layout(*store), state_error);
    // Reserved keys alone (a changelog's read mark) are not steps' records.
    auto marked = make_memory_store();
    write_batch mark;
    mark.put(std::string("\0changelog\0t", 12), "0 0 w");
    marked->write(mark);
    check_state_layout(*marked);
    CHECK(marked->get(std::string("\0layout", 7)));
  }
}
