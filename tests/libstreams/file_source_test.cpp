#include "streams/sources/file_source.hpp"

#include "libstreams/support/temp_dir.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

using namespace streams;
using streams::test::temp_dir;
using streams::test::write_file;

namespace {

struct read_line {
  std::string text;
  std::int64_t offset;
};

std::vector<read_line> read_all(source& src, std::size_t max) {
  std::vector<read_line> out;
  for (int polls = 0; !src.exhausted() && polls < 1000; ++polls)
    for (auto& m : src.poll(max)) {
      REQUIRE(m.lineage().origins().size() == 1);
      out.push_back({m.payload<bytes>(), m.lineage().origins().front().offset});
    }
  return out;
}

} // namespace

TEST_SUITE("sources.file_source") {

  TEST_CASE("each non-empty line is a message whose offset is its line number") {
    temp_dir dir;
    auto path = dir.file("in.jsonl");
    write_file(path, "first\n\nthird\nfourth\n\n\nseventh\n");
    file_source src(path, "lines");
    auto lines = read_all(src, 100);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0].text == "first");
    CHECK(lines[0].offset == 0);
    CHECK(lines[1].text == "third");
    CHECK(lines[1].offset == 2);
    CHECK(lines[2].text == "fourth");
    CHECK(lines[2].offset == 3);
    CHECK(lines[3].text == "seventh");
    CHECK(lines[3].offset == 6);
    CHECK(src.exhausted());
    CHECK(src.poll(10).empty());
  }

  TEST_CASE("line numbers carry on across polls of one message each") {
    temp_dir dir;
    auto path = dir.file("in.txt");
    write_file(path, "a\n\nb\nc"); // the last line has no newline
    file_source src(path, "lines");
    auto lines = read_all(src, 1);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].offset == 0);
    CHECK(lines[1].text == "b");
    CHECK(lines[1].offset == 2);
    CHECK(lines[2].text == "c");
    CHECK(lines[2].offset == 3);
  }

  TEST_CASE("messages carry the stream name, a timestamp and partition 0 with full weight") {
    temp_dir dir;
    auto path = dir.file("in.txt");
    write_file(path, "x\n");
    file_source src(path, "my-stream");
    auto out = src.poll(10);
    REQUIRE(out.size() == 1);
    CHECK(out[0].schema() == "my-stream");
    CHECK(out[0].timestamp() > 0);
    auto& o = out[0].lineage().origins().front();
    CHECK(o.partition == 0);
    CHECK(o.weight == origin::full_weight);
  }

  TEST_CASE("an empty file gives nothing") {
    temp_dir dir;
    auto path = dir.file("empty.txt");
    write_file(path, "");
    file_source src(path, "lines");
    CHECK(read_all(src, 10).empty());
    CHECK(src.exhausted());
  }

  TEST_CASE("a missing file throws naming the path") {
    temp_dir dir;
    auto path = dir.file("does-not-exist.txt");
    try {
      file_source src(path, "lines");
      FAIL("expected an exception");
    } catch (const std::runtime_error& e) {
      CHECK(std::string(e.what()).find(path) != std::string::npos);
    }
    auto spec = sources::file_lines(path);
    CHECK(spec.detail.find(path) != std::string::npos);
    CHECK_THROWS_AS(spec.make(), std::runtime_error);
  }

  TEST_CASE("the spec makes a source reading the file") {
    temp_dir dir;
    auto path = dir.file("in.txt");
    write_file(path, "one\ntwo\n");
    auto src = sources::file_lines(path, "named").make();
    auto out = src->poll(10);
    REQUIRE(out.size() == 2);
    CHECK(out[1].payload<bytes>() == "two");
    CHECK(out[1].schema() == "named");
  }

} // TEST_SUITE
