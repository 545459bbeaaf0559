// Every example app, run by `streams run` with the config shipped beside it, against the
// embedded broker in a process of its own (`streams kafka-mock`). Independent clients write its
// input (kcat) and read its output (kcat) and its consumer group's commits (confluent-kafka).
// Each run ends with SIGTERM, which must drain the pipeline: exit code 0, every output written,
// every input committed.

#include "cli/cli_test_support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <thread>

using namespace streams::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

/// Seconds since the epoch, as Sentry's ingest metrics carry them.
long long now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// A Sentry ingest metric.
json metric(int i, const std::string& type, long long timestamp) {
  return {{"org_id", 1},
          {"project_id", 100 + i % 3},
          {"name", "metric-" + std::to_string(i)},
          {"type", type},
          {"value", i},
          {"timestamp", timestamp},
          {"tags", {{"env", "test"}}},
          {"retention_days", 90}};
}

std::vector<std::string> dump_all(const std::vector<json>& docs) {
  std::vector<std::string> out;
  for (auto& d : docs)
    out.push_back(d.dump());
  return out;
}

/// Each value parsed and dumped again (keys sorted), sorted: comparable with `dump_all`.
std::vector<std::string> normalized(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (auto& v : values) {
    auto doc = json::parse(v, nullptr, false);
    out.push_back(doc.is_discarded() ? "not JSON: " + v : doc.dump());
  }
  return sorted(out);
}

/// `streams run --config CONFIG --state-dir STATE APP` against `broker`: CONFIG is the one
/// shipped beside the example (apps/examples/configs/APP.yaml) unless given, STATE a fresh
/// directory of the run's own unless given.
class example_run {
public:
  example_run(const std::string& app, const kafka_mock& broker, const std::string& state_dir = "",
              const std::string& config = "")
      : process_({streams_bin, "run", "--config",
                  config.empty() ? example_configs + "/" + app + ".yaml" : config, "--state-dir",
                  state_dir.empty() ? state_.path() : state_dir, app},
                 dir_.path(), {{"STREAMS_BOOTSTRAP_SERVERS", broker.bootstrap()}}) {}

  /// SIGTERM; the exit code.
  int stop() { return streams::test::stop(process_, SIGTERM); }
  bool running() { return process_.running(); }
  std::string err() const { return process_.err(); }

private:
  temp_directory dir_;
  temp_directory state_;
  child_process process_;
};

/// Each value parsed as JSON (nlohmann, independent of the parser under test).
std::vector<json> parse_all(const std::vector<std::string>& values) {
  std::vector<json> out;
  for (auto& v : values) {
    auto doc = json::parse(v, nullptr, false);
    INFO("output: " << v);
    REQUIRE_FALSE(doc.is_discarded());
    out.push_back(doc);
  }
  return out;
}

/// Whether the log of a stopped run holds the statistics line of `step` with `counts` in it
/// ("4 dropped, 2 invalid").
bool step_stats_hold(const std::string& log, const std::string& step, const std::string& counts) {
  auto at = log.find("step '" + step + "':");
  if (at == std::string::npos)
    return false;
  auto line = log.substr(at, log.find('\n', at) - at);
  return line.find(counts) != std::string::npos;
}

} // namespace

TEST_SUITE("cli.examples") {
  TEST_CASE("simple_map_filter keeps the counters and marks them transformed") {
    kafka_mock broker({"ingest-metrics:4", "transformed-events:4"});
    const char* types[] = {"c", "d", "s", "g"};
    std::vector<json> before, after, expected;
    for (int i = 0; i < 60; ++i) {
      auto m = metric(i, types[i % 4], now_seconds());
      (i < 30 ? before : after).push_back(m);
      if (m["type"] == "c") {
        m["transformed"] = true;
        expected.push_back(m);
      }
    }
    // half of the input waits for the pipeline, half arrives while it runs
    produce(broker.bootstrap(), "ingest-metrics", dump_all(before));
    example_run run("simple_map_filter", broker);
    auto first = read_topic_until(broker.bootstrap(), "transformed-events", 8, 30s);
    INFO("streams stderr: " << run.err());
    REQUIRE(first.size() == 8);
    produce(broker.bootstrap(), "ingest-metrics", dump_all(after));
    read_topic_until(broker.bootstrap(), "transformed-events", expected.size(), 30s);

    CHECK(run.stop() == 0);
    CHECK(normalized(read_topic(broker.bootstrap(), "transformed-events"))
          == sorted(dump_all(expected)));
    CHECK(
        committed_to_end(group_progress(broker.bootstrap(), "pipeline-myinput", "ingest-metrics")));
  }

  TEST_CASE("blq sends old metrics to the backlog topic and broadcasts recent ones") {
    kafka_mock broker({"ingest-metrics:4", "transformed-events:4", "transformed-events-2:4",
                       "transformed-events-3:4"});
    std::vector<json> input, recent, delayed;
    for (int i = 0; i < 40; ++i) {
      bool old = i % 3 == 0;
      auto m = metric(i, "c", now_seconds() - (old ? 3600 : 5));
      input.push_back(m);
      (old ? delayed : recent).push_back(m);
    }
    produce(broker.bootstrap(), "ingest-metrics", dump_all(input));
    example_run run("blq", broker);
    INFO("streams stderr: " << run.err());
    auto b = broker.bootstrap();
    CHECK(read_topic_until(b, "transformed-events-3", delayed.size(), 30s).size()
          == delayed.size());
    CHECK(read_topic_until(b, "transformed-events", recent.size(), 30s).size() == recent.size());
    CHECK(read_topic_until(b, "transformed-events-2", recent.size(), 30s).size() == recent.size());

    CHECK(run.stop() == 0);
    CHECK(normalized(read_topic(b, "transformed-events-3")) == sorted(dump_all(delayed)));
    CHECK(normalized(read_topic(b, "transformed-events")) == sorted(dump_all(recent)));
    CHECK(normalized(read_topic(b, "transformed-events-2")) == sorted(dump_all(recent)));
    CHECK(committed_to_end(group_progress(b, "pipeline-ingest", "ingest-metrics")));
  }

  TEST_CASE("broadcast greets every name on one topic and bids it farewell on another") {
    kafka_mock broker({"events:4", "transformed-events:4", "transformed-events-2:4"});
    std::vector<std::string> input, hello, goodbye;
    for (int i = 0; i < 30; ++i) {
      auto name = "user" + std::to_string(i);
      input.push_back(json{{"name", name}}.dump());
      hello.push_back("Hello, " + name + "!");
      goodbye.push_back("Goodbye, " + name + ".");
    }
    produce(broker.bootstrap(), "events", input);
    example_run run("broadcast", broker);
    INFO("streams stderr: " << run.err());
    auto b = broker.bootstrap();
    CHECK(read_topic_until(b, "transformed-events", hello.size(), 30s).size() == hello.size());
    CHECK(read_topic_until(b, "transformed-events-2", goodbye.size(), 30s).size()
          == goodbye.size());

    CHECK(run.stop() == 0);
    CHECK(sorted(read_topic(b, "transformed-events")) == sorted(hello));
    CHECK(sorted(read_topic(b, "transformed-events-2")) == sorted(goodbye));
    CHECK(committed_to_end(group_progress(b, "pipeline-myinput", "events")));
  }

  TEST_CASE("simple_batching writes arrays of three, and SIGTERM flushes the last partial one") {
    kafka_mock broker({"ingest-metrics:4", "transformed-events:4"});
    std::vector<json> input;
    for (int i = 0; i < 10; ++i)
      input.push_back(metric(i, "c", now_seconds()));
    produce(broker.bootstrap(), "ingest-metrics", dump_all(input));
    example_run run("simple_batching", broker);
    INFO("streams stderr: " << run.err());
    auto b = broker.bootstrap();
    auto full = read_topic_until(b, "transformed-events", 3, 30s);
    REQUIRE(full.size() == 3);
    // the tenth metric waits for two more or for 100 s; it is not written while the pipeline runs
    std::this_thread::sleep_for(2s);
    CHECK(read_topic(b, "transformed-events").size() == 3);

    CHECK(run.stop() == 0);
    auto batches = read_topic(b, "transformed-events");
    REQUIRE(batches.size() == 4);
    std::vector<std::string> elements;
    std::vector<std::size_t> sizes;
    for (auto& text : batches) {
      auto batch = json::parse(text, nullptr, false);
      REQUIRE(batch.is_array());
      sizes.push_back(batch.size());
      for (auto& m : batch)
        elements.push_back(m.dump());
    }
    std::sort(sizes.begin(), sizes.end());
    CHECK(sizes == std::vector<std::size_t>{1, 3, 3, 3});
    CHECK(sorted(elements) == sorted(dump_all(input)));
    CHECK(committed_to_end(group_progress(b, "pipeline-myinput", "ingest-metrics")));
  }

  TEST_CASE("devnull_benchmark consumes its topic and commits to the end") {
    kafka_mock broker({"ingest-metrics:4"});
    std::vector<json> input;
    for (int i = 0; i < 2000; ++i)
      input.push_back(metric(i, "c", now_seconds()));
    produce(broker.bootstrap(), "ingest-metrics", dump_all(input));
    example_run run("devnull_benchmark", broker);
    INFO("streams stderr: " << run.err());
    auto b = broker.bootstrap();
    const std::string group = "pipeline-benchmark_source";
    // four simulated flushes of 500, each sleeping up to 100 ms, then the cadence commit
    CHECK(eventually([&] { return committed_to_end(group_progress(b, group, "ingest-metrics")); },
                     30s));
    CHECK(run.running());

    CHECK(run.stop() == 0);
    auto progress = group_progress(b, group, "ingest-metrics");
    CHECK(committed_to_end(progress));
    long long total = 0;
    for (auto& p : progress)
      total += p.end;
    CHECK(total == 2000);
  }
  TEST_CASE("word_counter counts the words of named events in windows of three per word") {
    kafka_mock broker({"events:4", "transformed-events:4"});
    auto b = broker.bootstrap();
    // apple 3 times, banana 6, cherry 9, and 3 events naming no word ("null_word"), interleaved
    const std::vector<std::pair<std::string, int>> words{
        {"apple", 3}, {"banana", 6}, {"cherry", 9}, {"", 3}};
    std::vector<std::string> input;
    for (int round = 0; round < 9; ++round)
      for (auto& [word, times] : words)
        if (round < times)
          input.push_back(word.empty() ? json{{"name", "e"}}.dump()
                                       : json{{"name", "e"}, {"word", word}}.dump());
    // events without a name are filtered out, whatever their word
    for (auto word : {"apple", "banana", "cherry", "apple"})
      input.push_back(json{{"word", word}}.dump());
    // malformed: not JSON and not an object (myfilter), a word that is not a string (mymap)
    input.insert(input.end(), {"not json", "[1,2]", R"({"name":"e","word":7})"});
    produce(b, "events", input);
    example_run run("word_counter", broker);
    INFO("streams stderr: " << run.err());
    const std::vector<std::string> expected{"apple 3",  "banana 3", "banana 3",   "cherry 3",
                                            "cherry 3", "cherry 3", "null_word 3"};
    CHECK(read_topic_until(b, "transformed-events", expected.size(), 30s).size()
          == expected.size());

    CHECK(run.stop() == 0);
    CHECK(sorted(read_topic(b, "transformed-events")) == expected);
    CHECK(committed_to_end(group_progress(b, "pipeline-myinput", "events")));
    CHECK(step_stats_hold(run.err(), "myfilter", "28 in, 22 out, 4 dropped, 2 invalid"));
    CHECK(step_stats_hold(run.err(), "mymap", "22 in, 21 out, 0 dropped, 1 invalid"));
  }

  TEST_CASE("word_counter keeps an unfinished window in --state-dir for the next run") {
    kafka_mock broker({"events:1", "transformed-events:1"});
    auto b = broker.bootstrap();
    temp_directory state;
    temp_directory dir;
    // The shipped config with a short session timeout: the embedded broker makes the second
    // run's consumer wait for it after the first one has left.
    auto config = dir.file("word_counter.yaml");
    std::ofstream(config)
        << "pipeline:\n  segments:\n    - steps_config:\n"
           "        myinput:\n"
           "          bootstrap_servers: [\"${envvar:STREAMS_BOOTSTRAP_SERVERS}\"]\n"
           "          auto_offset_reset: earliest\n"
           "          override_params:\n"
           "            session.timeout.ms: 6000\n"
           "            heartbeat.interval.ms: 500\n"
           "        kafkasink:\n"
           "          bootstrap_servers: [\"${envvar:STREAMS_BOOTSTRAP_SERVERS}\"]\n";
    auto event = [](const std::string& word) { return json{{"name", "e"}, {"word", word}}.dump(); };
    const std::string group = "pipeline-myinput";
    produce(b, "events",
            {event("kiwi"), event("plum"), event("kiwi"), event("plum"), event("plum")});
    {
      example_run first("word_counter", broker, state.path(), config);
      INFO("first run's stderr: " << first.err());
      CHECK(read_topic_until(b, "transformed-events", 1, 30s)
            == std::vector<std::string>{"plum 3"});
      // the two kiwis are committed once the window holding them is stored
      CHECK(eventually([&] { return committed_to_end(group_progress(b, group, "events")); }, 20s));
      CHECK(first.stop() == 0);
    }
    CHECK(read_topic(b, "transformed-events") == std::vector<std::string>{"plum 3"});
    CHECK(std::filesystem::is_directory(state.path() + "/word_counter"));

    // a third kiwi completes the window the first run stored
    produce(b, "events", {event("kiwi")});
    example_run second("word_counter", broker, state.path(), config);
    INFO("second run's stderr: " << second.err());
    CHECK(read_topic_until(b, "transformed-events", 2, 30s).size() == 2);
    CHECK(second.stop() == 0);
    CHECK(read_topic(b, "transformed-events") == std::vector<std::string>{"plum 3", "kiwi 3"});
    CHECK(committed_to_end(group_progress(b, group, "events")));
  }

  TEST_CASE("transformer writes each metric in the size/slide sliding windows that hold it") {
    // one output partition: the windows are read back in the order they were emitted
    kafka_mock broker({"ingest-metrics:4", "transformed-events:1"});
    auto b = broker.bootstrap();
    auto name_of = [](const json& m) { return m.at("name").get<std::string>(); };
    auto first_metric = metric(0, "c", now_seconds());
    produce(b, "ingest-metrics", {first_metric.dump()});
    example_run run("transformer", broker);
    INFO("streams stderr: " << run.err());
    // The first window begins at the first metric, as in Sentry Streams, and ends 6 s later:
    // it holds that metric alone.
    auto first = read_topic_until(b, "transformed-events", 1, 30s);
    REQUIRE(first.size() == 1);
    CHECK(parse_all(first).front() == json::array({first_metric}));

    // Metrics that arrive later are each in 6 s / 2 s = 3 consecutive windows.
    std::vector<json> burst;
    for (int i = 1; i <= 12; ++i)
      burst.push_back(metric(i, "c", now_seconds()));
    produce(b, "ingest-metrics", dump_all(burst));
    auto each_in_three = [&] {
      std::map<std::string, int> seen;
      for (auto& window : parse_all(read_topic(b, "transformed-events")))
        for (auto& m : window)
          ++seen[name_of(m)];
      return std::all_of(burst.begin(), burst.end(),
                         [&](const json& m) { return seen[name_of(m)] >= 3; });
    };
    CHECK(eventually(each_in_three, 30s));
    std::this_thread::sleep_for(2500ms); // a window too many would come within one slide

    CHECK(run.stop() == 0);
    auto windows = parse_all(read_topic(b, "transformed-events"));
    REQUIRE(windows.size() >= 2);
    CHECK(windows[0] == json::array({first_metric}));
    std::map<std::string, json> by_name;
    for (auto& m : burst)
      by_name[name_of(m)] = m;
    std::map<std::string, std::vector<std::size_t>> windows_of;
    for (std::size_t i = 1; i < windows.size(); ++i) {
      CAPTURE(windows[i].dump());
      REQUIRE(windows[i].is_array());
      std::set<std::string> in_window;
      for (auto& m : windows[i]) {
        CHECK(in_window.insert(name_of(m)).second); // no metric twice in one window
        CHECK(by_name[name_of(m)] == m);            // and each as it was produced
        windows_of[name_of(m)].push_back(i);
      }
    }
    CHECK(windows_of.size() == burst.size()); // the first metric only in the first window
    for (auto& m : burst) {
      CAPTURE(name_of(m));
      auto& at = windows_of[name_of(m)];
      REQUIRE(at.size() == 3);
      CHECK(at[1] == at[0] + 1);
      CHECK(at[2] == at[1] + 1);
    }
    // the burst took one slide, or straddled two (rarely three): 3 to 5 windows hold it
    CHECK(windows.size() - 1 >= 3);
    CHECK(windows.size() - 1 <= 5);
    CHECK(committed_to_end(group_progress(b, "pipeline-myinput", "ingest-metrics")));
  }

  TEST_CASE("alerts aggregates the points of each alert in windows of three") {
    // one partition in and out: the windows form, and come out, in the order of the input
    kafka_mock broker({"events:1", "transformed-events:1"});
    auto b = broker.bootstrap();
    auto now = static_cast<double>(now_seconds());
    // An event of `project` received `age` seconds ago. Project 1 feeds alert 6 (p95) with
    // every event; project 2 feeds alert 4 (count) with each tag_a, alert 6 with each tag_b.
    auto event = [&](int project, double age, json tags) {
      return json{{"project_id", project}, {"data", {{"received", now - age}, {"tags", tags}}}}
          .dump();
    };
    using tags = std::vector<std::string>;
    std::vector<std::string> input{
        event(2, 100, tags{"tag_a", "tag_b"}), // 4, and 6 with latency 100
        event(1, 500, nullptr),                // 6 (500)
        event(2, 10, tags{"tag_a"}),           // 4
        event(99, 10, tags{"tag_a"}),          // invalid: a project without alerts
        event(2, 300, tags{"tag_b"}),          // 6 (300): 100, 500, 300 -> p95 500
        event(2, 10, tags{"tag_a", "tag_z"}),  // invalid as a whole: no alert for tag_z
        event(2, 10, tags{"tag_a"}),           // 4: three points -> count 3
        event(1, 200, nullptr),                // 6 (200)
        event(2, 250, tags{"tag_b", "tag_a"}), // 6 (250), 4
        event(2, 10, nullptr),                 // no tags, no point
        "not json",                            // invalid (parser)
        R"({"project_id": 2})",                // invalid: no data
        event(1, 150, nullptr),                // 6 (150): 200, 250, 150 -> p95 250
        event(2, 10, tags{}),                  // no point
        event(2, 10, tags{"tag_a", "tag_a"}),  // 4, 4: count 3
        event(2, 10, tags{"tag_a"}),           // 4: a window left open
    };
    produce(b, "events", input);
    example_run run("alerts", broker);
    INFO("streams stderr: " << run.err());
    CHECK(read_topic_until(b, "transformed-events", 4, 30s).size() == 4);
    std::this_thread::sleep_for(500ms);

    CHECK(run.stop() == 0);
    auto alerts = parse_all(read_topic(b, "transformed-events"));
    REQUIRE(alerts.size() == 4);
    for (std::size_t i : {1, 3}) {
      CAPTURE(i);
      CHECK(alerts[i] == json{{"alert_id", 4}, {"alert_name", "eventcount"}, {"event_count", 3}});
    }
    // the largest latency of the window: its age when produced, plus the seconds until processed
    for (auto& expected : std::vector<std::pair<std::size_t, long long>>{{0, 500}, {2, 250}}) {
      auto i = expected.first;
      auto age = expected.second;
      CAPTURE(i);
      CHECK(alerts[i].at("alert_id") == 6);
      CHECK(alerts[i].at("alert_name") == "p95alert");
      CHECK(alerts[i].size() == 3);
      auto latency = alerts[i].at("p95_latency").get<long long>();
      CHECK(latency >= age);
      CHECK(latency <= age + 30);
    }
    CHECK(committed_to_end(group_progress(b, "pipeline-myinput", "events")));
    CHECK(step_stats_hold(run.err(), "parser", "16 in, 15 out, 0 dropped, 1 invalid"));
    // 13 points: events with no tag make none (dropped), invalid ones none at all
    CHECK(step_stats_hold(run.err(), "myflatmap", "15 in, 13 out, 2 dropped, 3 invalid"));
    CHECK(step_stats_hold(run.err(), "myreduce", "13 in, 4 out, 0 dropped, 0 invalid"));
  }

  TEST_CASE("billing counts outcomes by reason and category in windows of three") {
    // one partition in and out: which outcomes share a window is the order of the input
    kafka_mock broker({"events:1", "transformed-events:1"});
    auto b = broker.bootstrap();
    // an outcome; a field given as nullopt is left out
    auto outcome = [](std::optional<json> reason, std::optional<json> category) {
      json o{{"org_id", 1},
             {"project_id", 1},
             {"outcome", 2},
             {"quantity", 1},
             {"timestamp", "2025-01-01T00:00:00Z"}};
      if (reason)
        o["reason"] = *reason;
      if (category)
        o["category"] = *category;
      return o.dump();
    };
    std::vector<std::string> input{
        outcome("rate_limited", 1),
        outcome(nullptr, 2),
        outcome("rate_limited", 1),
        "not json",    // invalid (myparser)
        outcome(5, 1), // invalid: a reason that is no string
        "[1]",         // invalid: not an outcome
        outcome("too_large", 4),
        outcome(std::nullopt, 1),
        outcome("too_large", 4),
        outcome("", 3),
        outcome("rate_limited", std::nullopt),
        outcome(nullptr, 3),
        outcome("rate_limited", 1),
        outcome("rate_limited", 2), // a window left open
    };
    produce(b, "events", input);
    example_run run("billing", broker);
    INFO("streams stderr: " << run.err());
    CHECK(read_topic_until(b, "transformed-events", 3, 30s).size() == 3);
    std::this_thread::sleep_for(500ms);

    CHECK(run.stop() == 0);
    CHECK(parse_all(read_topic(b, "transformed-events"))
          == std::vector<json>{json{{"rate_limited1", 2}, {"2", 1}},
                               json{{"too_large4", 2}, {"1", 1}},
                               json{{"3", 2}, {"rate_limited", 1}}});
    // the open window's outcomes are stored, so they are committed too
    CHECK(committed_to_end(group_progress(b, "pipeline-myinput", "events")));
    CHECK(step_stats_hold(run.err(), "myparser", "14 in, 13 out, 0 dropped, 1 invalid"));
    CHECK(step_stats_hold(run.err(), "myreduce", "13 in, 3 out, 0 dropped, 2 invalid"));
  }

  TEST_CASE("spans_buffer gathers every span into exactly one 5-second segment") {
    kafka_mock broker({"events:4", "transformed-events:4"});
    auto b = broker.bootstrap();
    // span i lasts (i + 1) / 8 s, exact in binary: (i + 1) * 125 ms
    auto span = [](int i) {
      double start = 1700000000.0 + i;
      return json{{"span_id", "span-" + std::to_string(i)},
                  {"trace_id", "trace"},
                  {"start_timestamp", start},
                  {"end_timestamp", start + (i + 1) / 8.0}};
    };
    auto id_of = [](const json& s) {
      return std::stoi(s.at("span_id").get<std::string>().substr(5));
    };
    auto segments_now = [&] { return parse_all(read_topic(b, "transformed-events")); };
    auto holds_spans = [&](int below) {
      std::set<int> ids;
      for (auto& s : segments_now())
        for (auto& sp : s.at("segment"))
          ids.insert(id_of(sp));
      return static_cast<int>(ids.size()) >= below && *ids.rbegin() < below;
    };
    std::vector<std::string> first, second;
    for (int i = 0; i < 8; ++i)
      first.push_back(span(i).dump());
    first.push_back(R"({"span_id":"span-99","start_timestamp":1})"); // invalid: no end
    for (int i = 8; i < 16; ++i)
      second.push_back(span(i).dump());

    produce(b, "events", first);
    example_run run("spans_buffer", broker);
    INFO("streams stderr: " << run.err());
    CHECK(eventually([&] { return holds_spans(8); }, 30s));
    // produced after the first spans' windows closed: in other segments
    produce(b, "events", second);
    CHECK(eventually([&] { return holds_spans(16); }, 30s));
    std::this_thread::sleep_for(1s);

    CHECK(run.stop() == 0);
    auto segments = segments_now();
    std::map<int, int> times_seen;
    for (auto& s : segments) {
      CAPTURE(s.dump());
      REQUIRE(s.size() == 2);
      REQUIRE(s.at("segment").is_array());
      long long total = 0;
      std::set<bool> bursts;
      for (auto& sp : s.at("segment")) {
        auto i = id_of(sp);
        CHECK(sp == span(i));
        ++times_seen[i];
        total += (i + 1) * 125;
        bursts.insert(i >= 8);
      }
      CHECK(s.at("total_duration") == total);
      CHECK(bursts.size() == 1); // no segment mixes spans produced 5 s apart
    }
    CHECK(times_seen.size() == 16);
    for (auto& seen : times_seen) {
      CAPTURE(seen.first);
      CHECK(seen.second == 1);
    }
    // each burst took one window, or straddled two
    CHECK(segments.size() >= 2);
    CHECK(segments.size() <= 4);
    CHECK(committed_to_end(group_progress(b, "pipeline-myinput", "events")));
    CHECK(step_stats_hold(run.err(), "myreduce", "17 in,"));
    CHECK(step_stats_hold(run.err(), "myreduce", "0 dropped, 1 invalid"));
  }
}
