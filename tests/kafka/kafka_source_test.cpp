#include "streams/kafka/kafka_source.hpp"

#include "kafka_test_support.hpp"
#include "streams/kafka/embedded_broker.hpp"
#include "streams/kafka/kafka_error.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <thread>

using namespace streams;
using namespace streams::kafka;
using namespace streams::kafka::test;

namespace {

source_config config_for(const embedded_broker& broker, const std::string& topic,
                         const std::string& group) {
  source_config c;
  c.bootstrap_servers = broker.bootstrap_servers();
  c.topic = topic;
  c.consumer_group = group;
  // The mock broker makes a joiner wait session.timeout.ms - 1 s after a member left.
  c.override_params = {{"session.timeout.ms", "6000"}, {"heartbeat.interval.ms", "500"}};
  return c;
}

auto count_at_least(std::size_t n) {
  return [n](const std::vector<message>& all) { return all.size() >= n; };
}

// Offsets per partition, in the order received.
std::map<std::int32_t, std::vector<std::int64_t>>
offsets_by_partition(const std::vector<message>& all) {
  std::map<std::int32_t, std::vector<std::int64_t>> out;
  for (auto& m : all)
    out[partition_of(m)].push_back(offset_of(m));
  return out;
}

std::vector<std::int64_t> iota(std::int64_t from, std::int64_t to) {
  std::vector<std::int64_t> v;
  for (auto i = from; i < to; ++i)
    v.push_back(i);
  return v;
}

std::string payload_of(const message& m) { return m.payload<bytes>(); }

/// A source made with `config` delivers nothing and stops with `offset_reset`, its message
/// holding `text`, within 30 s.
void check_offset_reset_error(const source_config& config, const std::string& text) {
  kafka_source src(config);
  tracking_context ctx;
  src.start(ctx);
  std::optional<kafka_error> error;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!error && std::chrono::steady_clock::now() < deadline) {
    std::vector<message> batch;
    try {
      batch = src.poll(100);
    } catch (const kafka_error& e) {
      error = e;
    }
    CHECK(batch.empty());
    std::this_thread::sleep_for(1ms);
  }
  REQUIRE(error);
  CHECK(error->code() == kafka::errc::offset_reset);
  CHECK(std::string(error->what()).find(text) != std::string::npos);
  src.stop();
}

} // namespace

TEST_SUITE("kafka.kafka_source") {
  TEST_CASE("delivers what an independent producer wrote: payload, key, headers, offsets") {
    embedded_broker broker(1, {{"in", 3}});
    produce_with_python(broker.bootstrap_servers(), "in", 300);

    kafka_source src(config_for(broker, "in", "g"));
    tracking_context ctx;
    src.start(ctx);
    auto all = poll_until(src, count_at_least(300), 30s);
    REQUIRE(all.size() == 300);
    CHECK(poll_for(src, 300ms).empty()); // nothing twice

    std::set<std::string> payloads;
    for (auto& m : all) {
      auto p = payload_of(m);
      payloads.insert(p);
      auto i = std::stoi(p.substr(2));
      REQUIRE(m.key());
      CHECK(*m.key() == "k" + std::to_string(i % 7));
      CHECK(m.headers() == headers{{"h", std::to_string(i)}, {"dup", "a"}, {"dup", "b"}});
      CHECK(m.schema() == "in");
      CHECK(m.timestamp() > 0);
      CHECK(m.lineage().origins().size() == 1);
      CHECK(m.lineage().origins().front().source == 0);
      CHECK(m.lineage().origins().front().weight == origin::full_weight);
    }
    CHECK(payloads.size() == 300);
    // Every partition from offset 0, in order, without gaps; keys spread over all three.
    auto offsets = offsets_by_partition(all);
    CHECK(offsets.size() == 3);
    std::size_t total = 0;
    for (auto& [partition, list] : offsets) {
      CHECK(list == iota(0, static_cast<std::int64_t>(list.size())));
      total += list.size();
    }
    CHECK(total == 300);
    CHECK(src.assignment() == std::vector<std::int32_t>{0, 1, 2});
    src.stop();
  }

  TEST_CASE("the waker calls when messages arrive after an empty poll") {
    embedded_broker broker(1, {{"in", 2}});
    kafka_source src(config_for(broker, "in", "g"));
    wake_counter wakes;
    REQUIRE(src.set_waker(wakes.make()));
    tracking_context ctx;
    src.start(ctx);
    // Join the group and drain the (empty) topic: the queue is empty afterwards.
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (src.assignment().size() < 2 && std::chrono::steady_clock::now() < deadline)
      CHECK(poll_for(src, 100ms, &ctx).empty());
    REQUIRE(src.assignment().size() == 2);
    CHECK(poll_for(src, 300ms, &ctx).empty());
    auto seen = wakes.count();

    produce_with_python(broker.bootstrap_servers(), "in", 20);
    REQUIRE_MESSAGE(wakes.wait_beyond(seen, 10s), "20 messages arrived, and no wake");
    // Woken: polling now finds them (a poll right after the wake may see only the first).
    auto all = poll_until(src, count_at_least(20), 10s, &ctx);
    CHECK(all.size() == 20);
    src.stop();
  }

  TEST_CASE("null keys and values, and timestamps set by the producer") {
    embedded_broker broker(1, {{"in", 1}});
    auto r = run_python(R"(
import sys
from confluent_kafka import Producer
p = Producer({'bootstrap.servers': sys.argv[1]})
p.produce('in', value=None, key=b'tombstone', timestamp=1600000000123)
p.produce('in', value=b'no key', headers=[('empty', b''), ('none', None)])
sys.exit(1 if p.flush(20) else 0)
)",
                        {broker.bootstrap_servers()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);

    kafka_source src(config_for(broker, "in", "g"));
    tracking_context ctx;
    src.start(ctx);
    auto all = poll_until(src, count_at_least(2), 30s);
    REQUIRE(all.size() == 2);
    CHECK(payload_of(all[0]).empty());
    CHECK(*all[0].key() == "tombstone");
    CHECK(all[0].timestamp() == 1600000000123);
    CHECK(payload_of(all[1]) == "no key");
    CHECK_FALSE(all[1].key());
    CHECK(all[1].headers() == headers{{"empty", ""}, {"none", ""}});
    src.stop();
  }

  TEST_CASE("a second source in the group resumes after the committed offsets") {
    embedded_broker broker(1, {{"in", 2}});
    produce_with_python(broker.bootstrap_servers(), "in", 100);
    std::map<std::int32_t, std::int64_t> committed;
    {
      kafka_source first(config_for(broker, "in", "g"));
      tracking_context ctx;
      first.start(ctx);
      auto all = poll_until(first, count_at_least(100), 30s);
      REQUIRE(all.size() == 100);
      // Commit half of each partition.
      std::vector<partition_offset> positions;
      for (auto& [partition, list] : offsets_by_partition(all)) {
        committed[partition] = static_cast<std::int64_t>(list.size() / 2);
        positions.push_back({partition, committed[partition]});
      }
      first.commit(positions);
      first.stop(); // closing waits for the commit; no revoke positions (nothing marked done)
      REQUIRE(ctx.revocations.size() == 1);
      CHECK(ctx.revoked_positions.front().empty());
    }
    kafka_source second(config_for(broker, "in", "g"));
    tracking_context ctx;
    second.start(ctx);
    auto all = poll_until(second, count_at_least(50), 30s);
    CHECK(poll_for(second, 300ms).empty());
    auto offsets = offsets_by_partition(all);
    std::size_t total = 0;
    for (auto& [partition, list] : offsets) {
      REQUIRE(!list.empty());
      CHECK(list.front() == committed[partition]);
      CHECK(list
            == iota(committed[partition],
                    committed[partition] + static_cast<std::int64_t>(list.size())));
      total += list.size();
    }
    CHECK(total == 50);
    second.stop();
  }

  TEST_CASE("commits on revocation what the runtime says is done") {
    embedded_broker broker(1, {{"in", 1}});
    produce_with_python(broker.bootstrap_servers(), "in", 20);
    {
      kafka_source first(config_for(broker, "in", "g"));
      tracking_context ctx;
      first.start(ctx);
      auto all = poll_until(first, count_at_least(20), 30s, &ctx);
      REQUIRE(all.size() == 20);
      for (int i = 0; i < 12; ++i)
        ctx.done(all[static_cast<std::size_t>(i)]);
      first.stop(); // revokes: the context returns position 12, which the source commits
      REQUIRE(ctx.revoked_positions.size() == 1);
      CHECK(ctx.revoked_positions.front() == std::vector<partition_offset>{{0, 12}});
    }
    kafka_source second(config_for(broker, "in", "g"));
    tracking_context ctx;
    second.start(ctx);
    auto all = poll_until(second, count_at_least(8), 30s);
    REQUIRE(all.size() == 8);
    CHECK(offset_of(all.front()) == 12);
    second.stop();
  }

  TEST_CASE("auto_offset_reset latest skips what was there before") {
    embedded_broker broker(1, {{"in", 1}});
    produce_with_python(broker.bootstrap_servers(), "in", 10, "old");
    auto config = config_for(broker, "in", "g");
    config.auto_offset_reset = offset_reset::latest;
    kafka_source src(config);
    tracking_context ctx;
    src.start(ctx);
    // Produce new messages until some arrive: whenever the source has found its start, it
    // must never deliver an old one.
    std::vector<message> all;
    for (int round = 0; round < 20 && all.empty(); ++round) {
      produce_with_python(broker.bootstrap_servers(), "in", 1, "new" + std::to_string(round));
      all = poll_until(src, count_at_least(1), 1s);
    }
    REQUIRE_FALSE(all.empty());
    for (auto& m : all)
      CHECK(payload_of(m).rfind("new", 0) == 0);
    CHECK(offset_of(all.front()) >= 10);
    src.stop();
  }

  TEST_CASE("auto_offset_reset error stops with offset_reset when there is no commit") {
    embedded_broker broker(1, {{"in", 1}});
    produce_with_python(broker.bootstrap_servers(), "in", 5);
    auto config = config_for(broker, "in", "g");
    config.auto_offset_reset = offset_reset::error;
    check_offset_reset_error(config, "partition 0");
  }

  TEST_CASE("strict_offset_reset: a committed offset that is gone stops, a missing one resets") {
    embedded_broker broker(1, {{"in", 1}});
    produce_with_python(broker.bootstrap_servers(), "in", 5);
    // Group "gone" committed offset 100 of a partition that ends at 5.
    auto committed = run_python(R"(
import sys
from confluent_kafka import Consumer, TopicPartition
c = Consumer({'bootstrap.servers': sys.argv[1], 'group.id': 'gone'})
c.commit(offsets=[TopicPartition('in', 0, 100)], asynchronous=False)
c.close()
)",
                                {broker.bootstrap_servers()});
    INFO(committed.err);
    REQUIRE(committed.exit_code == 0);

    auto config = config_for(broker, "in", "gone");
    config.strict_offset_reset = true;
    check_offset_reset_error(config, "strict_offset_reset");
    // Not strict: librdkafka resets the same group's gone offset to the earliest.
    config.strict_offset_reset = false;
    {
      kafka_source src(config);
      tracking_context ctx;
      src.start(ctx);
      CHECK(poll_until(src, count_at_least(5), 30s).size() == 5);
      src.stop();
    }
    // Strict, and a group without a commit: auto_offset_reset (earliest) places it.
    config.strict_offset_reset = true;
    config.consumer_group = "fresh";
    kafka_source src(config);
    tracking_context ctx;
    src.start(ctx);
    CHECK(poll_until(src, count_at_least(5), 30s).size() == 5);
    src.stop();
  }

  TEST_CASE("pause stops delivery and resume continues without loss or repetition") {
    embedded_broker broker(1, {{"in", 2}});
    produce_with_python(broker.bootstrap_servers(), "in", 50, "a");
    kafka_source src(config_for(broker, "in", "g"));
    tracking_context ctx;
    src.start(ctx);
    auto all = poll_until(src, count_at_least(50), 30s);
    REQUIRE(all.size() == 50);

    src.pause();
    CHECK(src.paused());
    produce_with_python(broker.bootstrap_servers(), "in", 50, "b");
    CHECK(poll_for(src, 1500ms).empty());

    src.resume();
    CHECK_FALSE(src.paused());
    auto more = poll_until(src, count_at_least(50), 30s);
    CHECK(poll_for(src, 300ms).empty());
    REQUIRE(more.size() == 50);
    for (auto& m : more)
      CHECK(payload_of(m).rfind("b-", 0) == 0);
    all.insert(all.end(), more.begin(), more.end());
    for (auto& [partition, list] : offsets_by_partition(all))
      CHECK(list == iota(0, static_cast<std::int64_t>(list.size())));
    src.stop();
  }

  TEST_CASE("a pause shorter than the grace period returns nothing, then continues without loss") {
    // A runtime short of credit for a moment pauses and resumes at once; the source must not
    // discard what librdkafka fetched ahead (that cost a refetch and up to a second each time).
    embedded_broker broker(1, {{"in", 2}});
    produce_with_python(broker.bootstrap_servers(), "in", 300, "a");
    kafka_source src(config_for(broker, "in", "g"));
    tracking_context ctx;
    src.start(ctx);
    // Ten to start with, leaving most for after the pauses; the first fetch may bring fewer (CI
    // once saw 2).
    std::vector<message> all;
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (all.size() < 10 && std::chrono::steady_clock::now() < deadline) {
      auto got = src.poll(10 - all.size());
      all.insert(all.end(), got.begin(), got.end());
      if (got.empty())
        std::this_thread::sleep_for(1ms);
    }
    REQUIRE(all.size() == 10);

    for (int i = 0; i < 5; ++i) {
      src.pause();
      CHECK(src.paused());
      CHECK(src.poll(100).empty()); // paused, within the grace period: nothing comes
      src.resume();
      auto next = src.poll(10);
      if (next.empty())
        next = poll_until(src, count_at_least(1), 5s);
      CHECK_FALSE(next.empty());
      all.insert(all.end(), next.begin(), next.end());
    }
    auto rest = poll_until(src, count_at_least(300 - all.size()), 30s);
    all.insert(all.end(), rest.begin(), rest.end());
    CHECK(poll_for(src, 300ms).empty());
    REQUIRE(all.size() == 300);
    for (auto& [partition, list] : offsets_by_partition(all))
      CHECK(list == iota(0, static_cast<std::int64_t>(list.size())));
    src.stop();
  }

  TEST_CASE("partitions assigned while paused stay paused and resume at the committed offset") {
    embedded_broker broker(1, {{"in", 1}});
    produce_with_python(broker.bootstrap_servers(), "in", 30);
    {
      kafka_source first(config_for(broker, "in", "g"));
      tracking_context ctx;
      first.start(ctx);
      REQUIRE(poll_until(first, count_at_least(30), 30s).size() == 30);
      first.commit({{0, 17}});
      first.stop();
    }
    kafka_source src(config_for(broker, "in", "g"));
    tracking_context ctx;
    src.pause(); // before the group has assigned anything
    src.start(ctx);
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (src.assignment().empty() && std::chrono::steady_clock::now() < deadline) {
      CHECK(src.poll(100).empty());
      std::this_thread::sleep_for(1ms);
    }
    REQUIRE(src.assignment() == std::vector<std::int32_t>{0});
    CHECK(poll_for(src, 1s).empty());
    src.resume();
    auto all = poll_until(src, count_at_least(13), 30s);
    REQUIRE(all.size() == 13);
    CHECK(offset_of(all.front()) == 17);
    CHECK(offset_of(all.back()) == 29);
    src.stop();
  }

  TEST_CASE("two sources in a group split the partitions, and when one stops the other gets all") {
    embedded_broker broker(1, {{"in", 4}});
    produce_with_python(broker.bootstrap_servers(), "in", 400, "a");

    // Polls both sources (a rebalance happens only inside poll) until `done`.
    std::vector<message> got_a, got_b;
    auto poll_both = [&](kafka_source& a, tracking_context& ctx_a, kafka_source* b,
                         std::chrono::milliseconds timeout, auto done) {
      auto deadline = std::chrono::steady_clock::now() + timeout;
      while (!done() && std::chrono::steady_clock::now() < deadline) {
        // A poll may take or give up partitions (a rebalance) before it returns messages:
        // what it returns belongs to what the source holds when it returns.
        auto batch = a.poll(100);
        auto mine = a.assignment();
        ctx_a.track(batch);
        for (auto& m : batch) {
          // Never a message of a partition the source does not hold (any more).
          CHECK(std::count(mine.begin(), mine.end(), partition_of(m)) == 1);
          got_a.push_back(std::move(m));
        }
        if (b) {
          auto batch_b = b->poll(100);
          auto theirs = b->assignment();
          for (auto& m : batch_b) {
            CHECK(std::count(theirs.begin(), theirs.end(), partition_of(m)) == 1);
            got_b.push_back(std::move(m));
          }
        }
        std::this_thread::sleep_for(1ms);
      }
    };
    auto never = [] { return false; };

    kafka_source a(config_for(broker, "in", "g"));
    tracking_context ctx_a;
    a.start(ctx_a);
    // `a` alone gets every partition, reads everything and commits it (the runtime's cadence).
    poll_both(a, ctx_a, nullptr, 30s, [&] { return got_a.size() >= 400; });
    REQUIRE(got_a.size() == 400);
    CHECK(a.assignment() == std::vector<std::int32_t>{0, 1, 2, 3});
    for (auto& m : got_a)
      ctx_a.done(m);
    a.commit(ctx_a.take_commits());
    poll_both(a, ctx_a, nullptr, 300ms, never); // serves the commit's result
    got_a.clear();

    kafka_source b(config_for(broker, "in", "g"));
    tracking_context ctx_b;
    b.start(ctx_b);
    // Wait until the split has held for 1.5 s: on a loaded machine the mock group sometimes
    // needs a second round (a member missed the first), revoking everything again.
    auto split = [&] { return a.assignment().size() == 2 && b.assignment().size() == 2; };
    auto settle_deadline = std::chrono::steady_clock::now() + 60s;
    do {
      poll_both(a, ctx_a, &b, 40s, split);
      poll_both(a, ctx_a, &b, 1500ms, [&] { return !split(); });
    } while (!split() && std::chrono::steady_clock::now() < settle_deadline);
    REQUIRE(split());
    std::set<std::int32_t> all_partitions;
    for (auto p : a.assignment())
      all_partitions.insert(p);
    for (auto p : b.assignment())
      all_partitions.insert(p);
    CHECK(all_partitions == std::set<std::int32_t>{0, 1, 2, 3});
    // `a` was asked for its done positions when its four partitions were revoked.
    REQUIRE_FALSE(ctx_a.revocations.empty());
    CHECK(ctx_a.revocations.front() == std::vector<std::int32_t>{0, 1, 2, 3});
    // Everything was committed: neither reads anything again.
    poll_both(a, ctx_a, &b, 1s, never);
    CHECK(got_a.empty());
    CHECK(got_b.empty());

    // New messages go to both, each only from its own partitions (checked in poll_both).
    produce_with_python(broker.bootstrap_servers(), "in", 200, "b");
    poll_both(a, ctx_a, &b, 30s, [&] { return got_a.size() + got_b.size() >= 200; });
    poll_both(a, ctx_a, &b, 300ms, never);
    CHECK(got_a.size() + got_b.size() == 200);
    CHECK_FALSE(got_a.empty());
    CHECK_FALSE(got_b.empty());
    for (auto& m : got_a)
      ctx_a.done(m);
    a.commit(ctx_a.take_commits());
    poll_both(a, ctx_a, &b, 300ms, never);

    // `b` leaves without committing: `a` takes every partition over and reads exactly
    // b's messages again (duplicates, never loss).
    auto expected_again = got_b;
    got_a.clear();
    b.stop();
    poll_both(a, ctx_a, nullptr, 40s,
              [&] { return a.assignment().size() == 4 && got_a.size() >= expected_again.size(); });
    poll_both(a, ctx_a, nullptr, 300ms, never);
    CHECK(a.assignment() == std::vector<std::int32_t>{0, 1, 2, 3});
    std::multiset<std::string> expected, again;
    for (auto& m : expected_again)
      expected.insert(payload_of(m));
    for (auto& m : got_a)
      again.insert(payload_of(m));
    CHECK(again == expected);
    a.stop();
  }

  TEST_CASE("a revocation waits until the runtime has settled the partitions") {
    embedded_broker broker(1, {{"in", 2}});
    produce_with_python(broker.bootstrap_servers(), "in", 100, "a");
    kafka_source a(config_for(broker, "in", "g"));
    tracking_context ctx_a;
    a.start(ctx_a);
    REQUIRE(poll_until(a, count_at_least(100), 30s, &ctx_a).size() == 100);
    ctx_a.settle = false; // stateful steps still folding what they were sent

    kafka_source b(config_for(broker, "in", "g"));
    tracking_context ctx_b;
    b.start(ctx_b);
    produce_with_python(broker.bootstrap_servers(), "in", 20, "b");
    // Polls both for `limit` or until `done`: neither may return anything meanwhile.
    auto nothing_comes = [&](std::chrono::milliseconds limit, auto done) {
      for (auto until = std::chrono::steady_clock::now() + limit;
           !done() && std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(1ms)) {
        CHECK(a.poll(100).empty());
        CHECK(b.poll(100).empty());
      }
    };
    // The new messages wait for the rebalance, which b's joining starts by revoking a's.
    nothing_comes(30s, [&] { return ctx_a.settle_asked > 0; });
    REQUIRE(ctx_a.settle_asked > 0);
    // While a has not let them go, the group waits: nobody consumes them.
    nothing_comes(2s, [] { return false; });
    CHECK(a.assignment().empty());
    CHECK(b.assignment().empty());
    CHECK(ctx_a.revocations.empty());

    ctx_a.settle = true;
    std::vector<message> after;
    auto deadline = std::chrono::steady_clock::now() + 40s;
    // Until both members hold their partition too: the messages may all come from one before
    // the other's poll has taken its assignment.
    while ((after.size() < 20 || a.assignment().size() + b.assignment().size() < 2)
           && std::chrono::steady_clock::now() < deadline) {
      for (auto* src : {&a, &b})
        for (auto& m : src->poll(100))
          after.push_back(std::move(m));
      std::this_thread::sleep_for(1ms);
    }
    CHECK(ctx_a.revocations.front() == std::vector<std::int32_t>{0, 1});
    CHECK(a.assignment().size() + b.assignment().size() == 2);
    CHECK(after.size() >= 20); // the new messages (and what a's failed commit left) flow
    a.stop();
    b.stop();
  }

  TEST_CASE("rejects bad configurations with a clear error") {
    embedded_broker broker(1);
    auto config = config_for(broker, "in", "g");
    config.override_params["no.such.property"] = "1";
    try {
      kafka_source src(config);
      FAIL("accepted an unknown property");
    } catch (const kafka_error& e) {
      CHECK(e.code() == kafka::errc::invalid_config);
      CHECK(std::string(e.what()).find("no.such.property") != std::string::npos);
    }
    config = config_for(broker, "in", "g");
    config.override_params["partition.assignment.strategy"] = "cooperative-sticky";
    CHECK_THROWS_AS(kafka_source{config}, kafka_error);
    config = config_for(broker, "in", "");
    CHECK_THROWS_AS(kafka_source{config}, kafka_error);
  }

  TEST_CASE("the spec helper names the stream after the topic and makes a kafka_source") {
    embedded_broker broker(1, {{"events", 1}});
    auto spec = sources::kafka(config_for(broker, "events", "p.s"));
    CHECK(spec.stream_name == "events");
    CHECK(spec.connector == "kafka"); // so that a config is checked against a Kafka source's keys
    CHECK(spec.detail.find("events") != std::string::npos);
    auto src = spec.make();
    CHECK(dynamic_cast<kafka_source*>(src.get()) != nullptr);
  }
}

TEST_CASE("kafka.source_config") {
  CHECK(default_group("source") == "pipeline-source"); // Sentry Streams' default
  for (auto r : {offset_reset::earliest, offset_reset::latest, offset_reset::error})
    CHECK(parse_offset_reset(to_string(r)) == r);
  CHECK_FALSE(parse_offset_reset("smallest"));
}
