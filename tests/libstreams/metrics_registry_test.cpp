#include "streams/metrics/metrics_registry.hpp"

#include "streams/metrics/health.hpp"
#include "streams/metrics/metric_names.hpp"

#include <doctest/doctest.h>

using namespace streams::metrics;

namespace {

const sample* find(const std::vector<sample>& samples, const std::string& name,
                   const std::string& step, const std::string& partition = "") {
  for (auto& s : samples) {
    bool named = s.name == name;
    bool of_step = false, of_partition = partition.empty();
    for (auto& [k, v] : s.tags) {
      of_step = of_step || (k == "step" && v == step);
      of_partition = of_partition || (k == "partition" && v == partition);
    }
    if (named && of_step && of_partition)
      return &s;
  }
  return nullptr;
}

} // namespace

TEST_SUITE("libstreams.metrics_registry") {
  TEST_CASE("collect sums a step's instances, one sample per step, tagged") {
    metrics_registry r("p");
    auto& a = r.add("map", step_role::transform);
    auto& b = r.add("map", step_role::transform);
    a.messages_in.add(3);
    b.messages_in.add(4);
    a.duration.observe(0.002);
    b.duration.observe(20);
    b.in_flight.set(5);
    auto samples = r.collect();
    auto in = find(samples, names::input_messages, "map");
    REQUIRE(in);
    CHECK(in->value == 7);
    CHECK(in->kind == sample::counter);
    CHECK(in->tags
          == std::vector<std::pair<std::string, std::string>>{{"pipeline", "p"}, {"step", "map"}});
    auto d = find(samples, names::duration, "map");
    REQUIRE(d);
    CHECK(d->buckets.count() == 2);
    CHECK(d->buckets.sum == doctest::Approx(20.002));
    CHECK(d->buckets.counts[4] == 1);  // 2 ms: the 2.5 ms bucket
    CHECK(d->buckets.counts[15] == 1); // 20 s: the 60 s bucket
    CHECK(find(samples, names::in_flight, "map")->value == 5);
  }

  TEST_CASE("sources report lag and committed offset per partition, dead letters per pipeline") {
    metrics_registry r("p");
    auto& src = r.add("in", step_role::source);
    // Partition 1 has committed nothing this run, which resumed it at 3; partition 2 has
    // handed out nothing yet.
    src.set_partitions({{0, 10, 10, 15}, {1, -1, 3, 7}, {2, -1, -1, 9}});
    src.commit_latency.observe(0.003);
    auto& dlq = r.add("dead-letters", step_role::dead_letters);
    dlq.messages_out.add(2);
    auto samples = r.collect();
    CHECK(find(samples, names::committed_offset, "in", "0")->value == 10);
    CHECK(find(samples, names::lag, "in", "0")->value == 5);
    CHECK_FALSE(find(samples, names::committed_offset, "in", "1"));
    CHECK(find(samples, names::lag, "in", "1")->value == 4);
    CHECK_FALSE(find(samples, names::lag, "in", "2")); // where it resumes is unknown yet
    CHECK_FALSE(find(samples, names::input_messages, "in"));
    auto commits = find(samples, names::commit_latency, "in");
    REQUIRE(commits);
    CHECK(commits->kind == sample::histogram);
    CHECK(commits->buckets.counts[5] == 1);                  // 3 ms: the 5 ms bucket
    CHECK(find(samples, names::restarts, "in")->value == 0); // every step has restarts
    bool dead_letters = false;
    for (auto& s : samples)
      dead_letters = dead_letters || (s.name == names::dlq_messages && s.value == 2);
    CHECK(dead_letters);
  }

  TEST_CASE("liveness fails for an actor that stopped answering, not for one that ended") {
    metrics_registry r("p");
    auto& a = r.add("slow", step_role::transform);
    auto& b = r.add("done", step_role::sink);
    r.running = true;
    auto now = steady_ms();
    r.heartbeat_ms.set(now);
    a.answered_ms.set(now);
    b.answered_ms.set(now - 60000);
    b.ended = true;
    CHECK(check_liveness(r, std::chrono::seconds(5)).ok);
    a.answered_ms.set(now - 6000);
    auto h = check_liveness(r, std::chrono::seconds(5));
    CHECK_FALSE(h.ok);
    REQUIRE(h.problems.size() == 1);
    CHECK(h.problems[0].find("step 'slow' has not answered") == 0);
    CHECK(h.json().find("\"status\":\"unavailable\"") != std::string::npos);
  }

  TEST_CASE("readiness: running, and every connector ready") {
    metrics_registry r("p");
    auto& src = r.add("in", step_role::source);
    src.set_not_ready("no partitions of topic t assigned");
    CHECK_FALSE(check_readiness(r).ok);
    r.running = true;
    auto h = check_readiness(r);
    REQUIRE(h.problems.size() == 1);
    CHECK(h.problems[0] == "step 'in': no partitions of topic t assigned");
    src.set_not_ready("");
    CHECK(check_readiness(r).ok);
    CHECK(check_readiness(r).json() == R"({"status":"ok","problems":[]})");
  }
}
