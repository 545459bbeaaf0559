// What only the LMDB store does: files that outlive it, a map that grows, errors that name the
// directory, and a format that LMDB's own tools (mdb_stat, mdb_load from lmdb-utils) read and
// write alongside it.

#include "streams/state/state_store.hpp"

#include "state/lmdb_store.hpp"
#include "support/child_process.hpp"
#include "support/run_process.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <string>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace streams;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const state_error& e) {
    return e.what();
  }
  return "(no state_error)";
}

/// A value of `size` bytes that differs for every `i`.
std::string pattern(int i, std::size_t size) {
  std::string v(size, static_cast<char>('a' + i % 26));
  auto tag = std::to_string(i);
  v.replace(0, tag.size(), tag);
  return v;
}

/// `mdb_stat` run on `dir`: the number after "Entries:" for the main (unnamed) database.
long mdb_stat_entries(const std::string& dir) {
  auto r = test::run_process({"mdb_stat", dir});
  INFO("mdb_stat: " << r.out << r.err);
  REQUIRE(r.exit_code == 0);
  std::smatch m;
  REQUIRE(std::regex_search(r.out, m, std::regex(R"(Status of Main DB[\s\S]*?Entries: ([0-9]+))")));
  return std::stol(m[1]);
}

/// Another process writes `count` entries of `size` bytes into `dir` with `mdb_load`, asking
/// for a 64 MiB map, so that this process finds the map grown beyond its own.
void load_with_mdb_load(const std::string& dir, int count, std::size_t size) {
  auto hex = [](const std::string& s) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s)
      out += {digits[c >> 4], digits[c & 15]};
    return out;
  };
  std::string dump = "VERSION=3\nformat=bytevalue\ntype=btree\nmapsize=67108864\nHEADER=END\n";
  for (int i = 0; i < count; ++i)
    dump += " " + hex("loaded/" + std::to_string(i)) + "\n " + hex(pattern(i, size)) + "\n";
  dump += "DATA=END\n";
  auto r = test::run_process({"mdb_load", dir}, dump);
  INFO("mdb_load: " << r.err);
  REQUIRE(r.exit_code == 0);
}

/// Limits the size of files this process writes, as a full disk would; writes past it fail
/// with EFBIG instead of raising SIGXFSZ.
class file_size_limit {
public:
  explicit file_size_limit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit l = saved_;
    l.rlim_cur = bytes;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &l) == 0);
  }
  ~file_size_limit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, old_handler_);
  }

private:
  rlimit saved_{};
  void (*old_handler_)(int);
};

} // namespace

TEST_SUITE("lmdb_store") {

  TEST_CASE("what was written is there after reopening the directory") {
    test::temp_directory dir;
    auto path = dir.file("state");
    {
      auto s = open_lmdb_store(path);
      write_batch b;
      b.put("a", "1");
      b.put("b", "2");
      b.put("c", "3");
      s->write(b);
      write_batch e;
      e.erase("b");
      s->write(e);
    } // closed here, as when the process ends
    auto s = open_lmdb_store(path);
    CHECK(s->get("a") == "1");
    CHECK_FALSE(s->get("b"));
    CHECK(s->get("c") == "3");
    CHECK(s->where() == path);
    CHECK(s->durable());
  }

  TEST_CASE("the map grows far beyond its initial size") {
    test::temp_directory dir;
    auto path = dir.file("state");
    constexpr int batches = 50;
    constexpr int per_batch = 4;
    constexpr std::size_t size = 1 << 20; // 200 MiB in all, from the default 64 MiB map
    {
      auto s = open_lmdb_store(path);
      for (int b = 0; b < batches; ++b) {
        write_batch batch;
        for (int i = b * per_batch; i < (b + 1) * per_batch; ++i)
          batch.put("big/" + std::to_string(i), pattern(i, size));
        s->write(batch);
      }
      for (int i = 0; i < batches * per_batch; ++i)
        REQUIRE(s->get("big/" + std::to_string(i)) == pattern(i, size));
    }
    // The file holds more than the first map could, and a reopened store maps all of it.
    CHECK(std::filesystem::file_size(path + "/data.mdb") > 3 * detail::default_lmdb_map_size);
    auto s = open_lmdb_store(path);
    int count = 0;
    s->scan("big/", [&](std::string_view k, std::string_view v) {
      auto i = std::stoi(std::string(k.substr(4)));
      if (v == pattern(i, size))
        ++count;
    });
    CHECK(count == batches * per_batch);
  }

  TEST_CASE("mdb_stat sees the entries") {
    test::temp_directory dir;
    auto path = dir.file("state");
    auto s = open_lmdb_store(path);
    write_batch b;
    for (int i = 0; i < 37; ++i)
      b.put("k" + std::to_string(i), "v");
    b.erase("k3");
    s->write(b);
    CHECK(mdb_stat_entries(path) == 36); // while the store is open: LMDB allows other readers
  }

  TEST_CASE("a map grown by another process is adopted by reads and writes") {
    test::temp_directory dir;
    auto path = dir.file("state");
    auto s = detail::open_lmdb_store(path, 64 << 10);
    write_batch b;
    b.put("mine", "1");
    s->write(b);
    load_with_mdb_load(path, 40, 32 << 10); // 1.25 MiB: beyond this process's 64 KiB map

    SUBCASE("a read meets the grown map first") {
      CHECK(s->get("loaded/39") == pattern(39, 32 << 10));
      s->write(b);
    }
    SUBCASE("a write meets the grown map first") {
      write_batch more;
      more.put("more", "2");
      s->write(more);
      CHECK(s->get("more") == "2");
    }
    int loaded = 0;
    s->scan("loaded/", [&](auto, auto) { ++loaded; });
    CHECK(loaded == 40);
    CHECK(s->get("mine") == "1");
  }

  TEST_CASE("a directory that cannot be created or written fails at open, naming it") {
    test::temp_directory dir;
    std::string path;
    if (geteuid() == 0) {
      // root writes anywhere whatever the modes say: put the store under a regular file.
      std::ofstream(dir.file("file")) << "not a directory";
      path = dir.file("file/state");
    } else {
      path = dir.file("read-only");
      std::filesystem::create_directory(path);
      chmod(path.c_str(), 0500);
    }
    auto message = error_of([&] { open_lmdb_store(path); });
    INFO(message);
    CHECK(message.rfind("state store " + path + ": cannot ", 0) == 0);
    CHECK(message.find(geteuid() == 0 ? "Not a directory" : "Permission denied")
          != std::string::npos);
  }

  TEST_CASE("a directory holding something else than LMDB fails at open, naming it") {
    test::temp_directory dir;
    auto path = dir.file("state");
    std::filesystem::create_directory(path);
    std::ofstream(path + "/data.mdb") << std::string(16384, 'x');
    auto message = error_of([&] { open_lmdb_store(path); });
    CHECK(message
          == "state store " + path + ": cannot open: MDB_INVALID: File is not an LMDB file");
  }

  TEST_CASE("a directory is open once per process") {
    test::temp_directory dir;
    auto path = dir.file("state");
    auto first = open_lmdb_store(path);
    auto message = error_of([&] { open_lmdb_store(path + "/."); });
    CHECK(message == "state store " + path + "/.: cannot open: this process has it open already");
    first.reset();
    CHECK(open_lmdb_store(path)->get("x") == std::nullopt);
  }

  TEST_CASE("a commit the disk refuses applies nothing") {
    test::temp_directory dir;
    auto path = dir.file("state");
    auto s = open_lmdb_store(path);
    write_batch before;
    before.put("a", "1");
    s->write(before);

    write_batch b;
    b.put("a", "2");
    b.put("big", std::string(4 << 20, 'b'));
    {
      file_size_limit full(std::filesystem::file_size(path + "/data.mdb") + (64 << 10));
      auto message = error_of([&] { s->write(b); });
      INFO(message);
      CHECK(message.rfind("state store " + path + ": cannot write: ", 0) == 0);
      CHECK(s->get("a") == "1");
      CHECK_FALSE(s->get("big"));
    }
    // With room again, the same batch goes through, and survives reopening.
    s->write(b);
    s.reset();
    s = open_lmdb_store(path);
    CHECK(s->get("a") == "2");
    CHECK(s->get("big")->size() == 4 << 20);
  }
}
