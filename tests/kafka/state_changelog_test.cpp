// The state changelog against the embedded broker and real LMDB files: what one store writes,
// a store opened elsewhere reads back whole; torn batches, fenced writers, a missing broker and
// a log that is not the one a local copy read are each handled as documented.

#include "streams/kafka/embedded_broker.hpp"
#include "streams/kafka/state_changelog.hpp"
#include "streams/state/state_store.hpp"

#include "kafka/changelog_record.hpp"
#include "kafka/kafka_test_support.hpp"
#include "support/child_process.hpp"

#include <doctest/doctest.h>

#include <iomanip>
#include <sstream>

using namespace streams;
using namespace streams::kafka;
using namespace std::chrono_literals;

namespace {

changelog_config config_for(const embedded_broker& broker, std::uint64_t generation = 0) {
  changelog_config c;
  c.bootstrap_servers = broker.bootstrap_servers();
  c.topic = "state";
  c.generation = generation;
  c.timeout = 20s;
  return c;
}

std::unique_ptr<state_store> memory_replica(const changelog_config& c) {
  return replicate_to_changelog(make_memory_store(), c);
}

write_batch puts(std::vector<std::pair<std::string, std::string>> kv) {
  write_batch b;
  for (auto& [k, v] : kv)
    b.put(k, v);
  return b;
}

std::map<std::string, std::string> contents(const state_store& s) {
  std::map<std::string, std::string> out;
  s.scan("k", [&](std::string_view k, std::string_view v) { out.emplace(k, v); });
  return out;
}

std::string hex(const std::string& bytes) {
  std::ostringstream out;
  for (unsigned char c : bytes)
    out << std::hex << std::setw(2) << std::setfill('0') << static_cast<int>(c);
  return out.str();
}

/// Appends raw record values to partition 0 of `topic` with an independent client.
void append_raw(const embedded_broker& broker, const std::string& writer,
                const std::vector<std::string>& values) {
  std::vector<std::string> args{broker.bootstrap_servers(), writer};
  for (auto& v : values)
    args.push_back(hex(v));
  auto r = streams::test::run_python(R"(
import sys
from confluent_kafka import Producer
p = Producer({'bootstrap.servers': sys.argv[1]})
for v in sys.argv[3:]:
    p.produce('state', key=sys.argv[2].encode(), value=bytes.fromhex(v), partition=0)
assert p.flush(20) == 0
)",
                                     args);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
}

} // namespace

TEST_SUITE("kafka.state_changelog") {
  TEST_CASE("a store opened elsewhere reads back every change, in order") {
    embedded_broker broker(1, {{"state", 1}});
    auto a = memory_replica(config_for(broker));
    a->write(puts({{"k1", "1"}, {"k2", "2"}}));
    write_batch b;
    b.erase("k1");
    b.put("k3", "3");
    b.put("k2", "two");
    a->write(b);
    CHECK(contents(*a) == std::map<std::string, std::string>{{"k2", "two"}, {"k3", "3"}});
    auto elsewhere = memory_replica(config_for(broker));
    CHECK(contents(*elsewhere) == contents(*a));
    CHECK(a->durable());
    CHECK(elsewhere->where().find("'state'") != std::string::npos);
  }

  TEST_CASE("a running store catches up with what others wrote since, and not its own") {
    embedded_broker broker(1, {{"state", 1}});
    auto a = memory_replica(config_for(broker));
    auto b = memory_replica(config_for(broker));
    CHECK(b->catch_up() == 0); // nothing new
    a->write(puts({{"k1", "1"}, {"k2", "2"}}));
    b->write(puts({{"k9", "b's"}}));
    CHECK(contents(*b) == std::map<std::string, std::string>{{"k9", "b's"}}); // not yet
    CHECK(b->catch_up() == 2);
    CHECK(contents(*b)
          == std::map<std::string, std::string>{{"k1", "1"}, {"k2", "2"}, {"k9", "b's"}});
    // Its own batch in the log is not applied again: a write of `b` to a key since then stays.
    b->write(puts({{"k9", "newer"}}));
    write_batch gone;
    gone.erase("k1");
    a->write(gone);
    CHECK(b->catch_up() == 3);
    CHECK(contents(*b) == std::map<std::string, std::string>{{"k2", "2"}, {"k9", "newer"}});
    CHECK(b->catch_up() == 3);
  }

  TEST_CASE("a batch larger than a record arrives whole, and a torn one not at all") {
    embedded_broker broker(1, {{"state", 1}});
    write_batch big;
    for (int i = 0; i < 3000; ++i)
      big.put("k" + std::to_string(i), std::string(1000, static_cast<char>('a' + i % 26)));
    // A writer that died after the first part of a batch: nothing of it may be applied.
    auto torn = detail::encode_changelog(puts({{"k-torn", "1"}, {"k-torn2", "2"}}), 0, 1, 40);
    REQUIRE(torn.size() == 2);
    append_raw(broker, "dead-writer", {torn.front()});
    auto a = memory_replica(config_for(broker));
    CHECK(contents(*a).empty());
    a->write(big); // more than one record
    auto b = memory_replica(config_for(broker));
    auto got = contents(*b);
    CHECK(got.size() == 3000);
    CHECK(got == contents(*a));
  }

  TEST_CASE("an LMDB copy reads only what others wrote since, and keeps its own") {
    embedded_broker broker(1, {{"state", 1}});
    streams::test::temp_directory dir;
    {
      auto a = replicate_to_changelog(open_lmdb_store(dir.path()), config_for(broker));
      a->write(puts({{"k1", "a"}}));
    }
    auto other = memory_replica(config_for(broker));
    other->write(puts({{"k2", "other"}}));
    auto a = replicate_to_changelog(open_lmdb_store(dir.path()), config_for(broker));
    CHECK(contents(*a) == std::map<std::string, std::string>{{"k1", "a"}, {"k2", "other"}});
    // Its mark says where it stopped reading: the end of the log (3 records: two writes and
    // nothing else), so that the next opening starts there.
    auto mark = a->get(std::string("\0changelog\0state", 16));
    REQUIRE(mark);
    CHECK(mark->rfind("2 0 ", 0) == 0);
  }

  TEST_CASE("a replaced writer that resumes is fenced, and its own copy is rebuilt") {
    embedded_broker broker(1, {{"state", 1}});
    streams::test::temp_directory dir;
    auto zombie = replicate_to_changelog(open_lmdb_store(dir.path()), config_for(broker, 1));
    zombie->write(puts({{"k", "first run"}, {"kept", "1"}}));
    auto replacement = memory_replica(config_for(broker, 2));
    CHECK(contents(*replacement).at("k") == "first run");
    replacement->write(puts({{"k", "second run"}}));
    // The first run resumes and writes: the brokers take it, every reader ignores it.
    zombie->write(puts({{"k", "stale"}, {"kept", "stale"}}));
    CHECK(contents(*zombie).at("k") == "stale"); // what its own copy now wrongly holds
    auto reader = memory_replica(config_for(broker));
    CHECK(contents(*reader)
          == std::map<std::string, std::string>{{"k", "second run"}, {"kept", "1"}});
    // An older run cannot open the state again.
    CHECK_THROWS_AS(memory_replica(config_for(broker, 1)), state_error);
    // The zombie's own LMDB copy, opened by a newer run, is rebuilt from the log.
    zombie.reset();
    auto next = replicate_to_changelog(open_lmdb_store(dir.path()), config_for(broker, 3));
    CHECK(contents(*next)
          == std::map<std::string, std::string>{{"k", "second run"}, {"kept", "1"}});
  }

  TEST_CASE("a log that is not the one the local copy read is refused, naming both") {
    streams::test::temp_directory dir;
    {
      embedded_broker first(1, {{"state", 1}});
      auto a = replicate_to_changelog(open_lmdb_store(dir.path()), config_for(first));
      a->write(puts({{"k1", "a"}}));
      a->write(puts({{"k2", "b"}}));
      a.reset();
      // Reopened, the copy has read the log to its end (the mark moves when a store opens).
      a = replicate_to_changelog(open_lmdb_store(dir.path()), config_for(first));
    }
    embedded_broker second(1, {{"state", 1}});
    try {
      replicate_to_changelog(open_lmdb_store(dir.path()), config_for(second));
      FAIL("opened against another log");
    } catch (const state_error& e) {
      std::string what = e.what();
      CHECK(what.find("topic=state") != std::string::npos);
      CHECK(what.find(dir.path()) != std::string::npos);
      CHECK(what.find("up to offset 2 but it ends at 0") != std::string::npos);
    }
  }

  TEST_CASE("without brokers, opening fails within its timeout, naming the topic") {
    changelog_config c;
    c.bootstrap_servers = "127.0.0.1:1";
    c.topic = "state";
    c.timeout = 2s;
    auto started = std::chrono::steady_clock::now();
    try {
      memory_replica(c);
      FAIL("opened without brokers");
    } catch (const state_error& e) {
      CHECK(std::string(e.what()).find("topic=state") != std::string::npos);
    }
    CHECK(std::chrono::steady_clock::now() - started < 10s);
  }

  TEST_CASE("a write the brokers do not take in time fails and is not applied locally") {
    embedded_broker broker(1, {{"state", 1}});
    auto c = config_for(broker);
    c.timeout = 2s;
    auto a = memory_replica(c);
    broker.set_down();
    CHECK_THROWS_AS(a->write(puts({{"k", "lost"}})), state_error);
    CHECK(contents(*a).empty());
    broker.set_up();
  }
}
