#include "streams/sinks/stream_sinks.hpp"

#include "streams/dead_letter.hpp"
#include "streams/json.hpp"

#include "libstreams/support/messages.hpp"
#include "libstreams/support/temp_dir.hpp"
#include "support/recording_report.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

using namespace streams;
using streams::test::batch_of;
using streams::test::offsets;
using streams::test::read_file;
using streams::test::recording_report;
using streams::test::temp_dir;

namespace {

/// Runs `f` with standard error going to a file, and returns what was written there.
template <class F>
std::string capture_stderr(const temp_dir& dir, F f) {
  auto path = dir.file("stderr.txt");
  std::fflush(stderr);
  int saved = ::dup(2);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(saved >= 0);
  REQUIRE(fd >= 0);
  ::dup2(fd, 2);
  ::close(fd);
  f();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  return read_file(path);
}

} // namespace

TEST_SUITE("sinks.stream_sinks") {

  TEST_CASE("line_sink appends one line per payload and reports each delivered") {
    temp_dir dir;
    auto path = dir.file("out.txt");
    recording_report report;
    {
      line_sink sink(path);
      auto batch = batch_of({"one", "two"}, 10);
      sink.write(batch, report);
      // Flushed before write returns: readable while the sink is still open.
      CHECK(read_file(path) == "one\ntwo\n");
    }
    CHECK(offsets(report.delivered_lineages) == std::vector<std::int64_t>{10, 11});
    CHECK(report.failed_lineages.empty());

    {
      line_sink again(path); // appends, does not truncate
      auto batch = batch_of({"three"}, 12);
      again.write(batch, report);
    }
    CHECK(read_file(path) == "one\ntwo\nthree\n");
    CHECK(report.delivered_lineages.size() == 3);
  }

  TEST_CASE("line_sink reports the whole lineage of each message") {
    temp_dir dir;
    recording_report report;
    line_sink sink(dir.file("out.txt"));
    auto m = test::sourced(bytes("batched"), 1);
    m.lineage().absorb(lineage(origin{0, 2, 7, 99}));
    std::vector<message> batch{m};
    sink.write(batch, report);
    REQUIRE(report.delivered_lineages.size() == 1);
    CHECK(report.delivered_lineages[0].origins() == m.lineage().origins());
  }

  TEST_CASE("line_sink on a path in a missing directory throws naming the path") {
    temp_dir dir;
    auto path = dir.file("missing-dir/out.txt");
    try {
      line_sink sink(path);
      FAIL("expected an exception");
    } catch (const std::runtime_error& e) {
      CHECK(std::string(e.what()).find(path) != std::string::npos);
    }
    CHECK_THROWS_AS(sinks::file_lines(path).make(), std::runtime_error);
  }

  TEST_CASE("memory_sink keeps the messages and reports them delivered") {
    auto store = std::make_shared<memory_store>();
    auto sink = sinks::memory<bytes>(store).make();
    recording_report report;
    auto first = batch_of({"a", "b"}, 0);
    auto second = batch_of({"c"}, 2);
    sink->write(first, report);
    sink->write(second, report);
    CHECK(store->size() == 3);
    CHECK(store->payloads<bytes>() == std::vector<bytes>{"a", "b", "c"});
    CHECK(store->messages()[2].lineage().origins().front().offset == 2);
    CHECK(offsets(report.delivered_lineages) == std::vector<std::int64_t>{0, 1, 2});
    CHECK(report.failed_lineages.empty());
    CHECK(sink->pending() == 0);
  }

  TEST_CASE("dead_letter_log_sink writes one JSON line per dead letter to standard error") {
    temp_dir dir;
    auto first = to_dead_letter(test::sourced(bytes("say \"hi\"\n"), 3), "in", "parse", "bad JSON");
    first.add_header("custom", "value");
    auto second = to_dead_letter(test::sourced(bytes("two"), 4), "in", "route", "no branch");
    std::vector<message> batch{first, second};
    recording_report report;
    dead_letter_log_sink sink;
    auto text = capture_stderr(dir, [&] { sink.write(batch, report); });
    INFO(text);

    std::istringstream in(text);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);)
      lines.push_back(l);
    REQUIRE(lines.size() == 2);
    auto doc = json::parse(lines[0]); // quotes and newlines in the payload are escaped
    REQUIRE(doc.find("dead_letter") != nullptr);
    auto& letter = (*doc.find("dead_letter"));
    REQUIRE(letter.IsObject());
    CHECK(std::string(letter["payload"].GetString()) == "say \"hi\"\n");
    std::vector<std::pair<std::string, std::string>> headers;
    for (auto& h : letter["headers"].GetArray())
      if (h[0].GetString() != std::string("streams-rejected-at")) // a time: checked elsewhere
        headers.emplace_back(h[0].GetString(), h[1].GetString());
    CHECK(headers
          == std::vector<std::pair<std::string, std::string>>{{"streams-source", "in"},
                                                              {"streams-step", "parse"},
                                                              {"streams-error", "bad JSON"},
                                                              {"streams-origin", "0/0/3"},
                                                              {"custom", "value"}});
    CHECK(std::string(json::parse(lines[1]).doc()["dead_letter"]["payload"].GetString()) == "two");

    CHECK(offsets(report.delivered_lineages) == std::vector<std::int64_t>{3, 4});
  }

} // TEST_SUITE
