// Invalid messages go to the source's dead-letter topic as the source's ORIGINAL records (value,
// key and headers byte for byte) with provenance headers, read back by an independent client
// (confluent-kafka); their offsets are committed only once the dead-letter topic has them.

#include "e2e_support.hpp"

#include "streams/dead_letter.hpp"
#include "streams/error.hpp"
#include "streams/kafka/kafka_dead_letter_sink.hpp"
#include "streams/kafka/kafka_sink.hpp"
#include "streams/kafka/kafka_source.hpp"
#include "streams/wire.hpp"
#include "support/recording_report.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace streams;
using namespace streams::e2e;

namespace {

/// Produces `messages` to `topic` with our Kafka sink (keys, headers and any bytes), and
/// waits for all of them.
void produce(const kafka::embedded_broker& broker, const std::string& topic,
             std::vector<message> messages) {
  kafka_sink out(sink_config_for(broker, topic));
  test::recording_report report;
  out.write(messages, report);
  out.flush(report);
  REQUIRE(report.delivered_lineages.size() == messages.size());
}

message plain(const std::string& value) { return message(bytes(value)); }

/// A record that no JSON parser takes, with a key and headers of any bytes.
message poison() {
  message m(bytes("\x00\xff not JSON \x01", 14));
  m.set_key(bytes("k\x00y", 3));
  m.add_header("h", "first");
  m.add_header("h", "second");
  m.add_header("bin", bytes("\x00\x01", 2));
  return m;
}

std::string header_value(const record& r, const std::string& name) {
  for (auto& h : r.hdrs)
    if (h.name == name)
      return h.value;
  return "<none>";
}

/// Options sending the invalid messages of source 0 (topic "in") to "in-dlq" on `dlq_broker`.
runtime_options dead_letters_to(const kafka::embedded_broker& broker,
                                const kafka::embedded_broker& dlq_broker,
                                const std::string& group) {
  auto o = test_options();
  o.on_invalid.action = on_invalid::dead_letter;
  auto dlq = sink_config_for(dlq_broker, "in-dlq");
  auto source = source_config_for(broker, "in", group);
  o.dead_letters = [dlq, source] {
    return std::make_unique<kafka_dead_letter_sink>(dlq, source, 0);
  };
  return o;
}

std::unique_ptr<pipeline> parsing_pipeline(const kafka::embedded_broker& broker,
                                           const std::string& group) {
  auto p = std::make_unique<pipeline>("dead-letters");
  p->source("in", sources::kafka(source_config_for(broker, "in", group)))
      .parse_json("parser")
      .serialize_json("serializer")
      .sink("out", sinks::kafka(sink_config_for(broker, "out")));
  return p;
}

} // namespace

TEST_SUITE("e2e.dead_letter") {
  TEST_CASE("a poison message lands in the dead-letter topic byte for byte with its provenance, "
            "and the messages around it flow on") {
    kafka::embedded_broker broker(1, {{"in", 1}, {"out", 1}, {"in-dlq", 1}});
    auto boot = broker.bootstrap_servers();
    produce(broker, "in",
            {plain(R"({"n":0})"), plain(R"({"n":1})"), poison(), plain(R"({"n":3})")});
    auto before = now_ms();

    running_pipeline run(parsing_pipeline(broker, "dlq"), dead_letters_to(broker, broker, "dlq"));
    CHECK(wait_committed_to_end(boot, "in", "dlq", 60s) == offsets{{0, 4}});
    auto result = run.stop();
    REQUIRE(result.ok);
    CHECK(result.find("parser")->invalid == 1);

    std::vector<std::string> out;
    for (auto& r : read_topic(boot, "out"))
      out.push_back(r.value);
    CHECK(out == std::vector<std::string>{R"({"n":0})", R"({"n":1})", R"({"n":3})"});

    auto dead = read_topic(boot, "in-dlq");
    REQUIRE(dead.size() == 1);
    auto& d = dead.front();
    auto original = poison();
    CHECK(d.value == original.payload<bytes>());
    CHECK(d.key == original.key());
    // the original headers first, unchanged, then where it came from and why
    REQUIRE(d.hdrs.size() == original.headers().size() + 7);
    CHECK(headers(d.hdrs.begin(), d.hdrs.begin() + 3) == original.headers());
    CHECK(header_value(d, "streams-original-topic") == "in");
    CHECK(header_value(d, "streams-original-partition") == "0");
    CHECK(header_value(d, "streams-original-offset") == "2");
    CHECK(header_value(d, "streams-source") == "in");
    CHECK(header_value(d, "streams-step") == "parser");
    CHECK(header_value(d, "streams-error").find("invalid JSON") != std::string::npos);
    auto at = std::stoll(header_value(d, "streams-rejected-at"));
    CHECK(at >= before);
    CHECK(at <= now_ms());
  }

  TEST_CASE("after a batch step, every original record of the rejected batch is a dead letter") {
    kafka::embedded_broker broker(1, {{"in", 1}, {"out", 1}, {"in-dlq", 1}});
    auto boot = broker.bootstrap_servers();
    std::vector<message> input;
    for (int i = 0; i < 9; ++i)
      input.push_back(plain(i == 4 ? "poison" : "m-" + std::to_string(i)));
    produce(broker, "in", input);

    auto p = std::make_unique<pipeline>("batch-dead-letters");
    p->source("in", sources::kafka(source_config_for(broker, "in", "batch-dlq")))
        .batch("threes", 3, std::chrono::milliseconds(200))
        .map("join",
             [](const std::vector<bytes>& batch) {
               bytes joined;
               for (auto& b : batch) {
                 if (b == "poison")
                   throw invalid_message("a poison in the batch");
                 joined += (joined.empty() ? "" : ",") + b;
               }
               return joined;
             })
        .sink("out", sinks::kafka(sink_config_for(broker, "out")));
    running_pipeline run(std::move(p), dead_letters_to(broker, broker, "batch-dlq"));
    CHECK(wait_committed_to_end(boot, "in", "batch-dlq", 60s) == offsets{{0, 9}});
    REQUIRE(run.stop().ok);

    // Each input is either in a joined output or a dead letter, exactly once; the poison's
    // batch companions are dead letters too, as the records they were.
    std::multiset<std::string> seen;
    for (auto& r : read_topic(boot, "out")) {
      std::size_t start = 0;
      for (auto comma = r.value.find(',');; comma = r.value.find(',', start)) {
        seen.insert(r.value.substr(start, comma - start));
        if (comma == std::string::npos)
          break;
        start = comma + 1;
      }
    }
    auto dead = read_topic(boot, "in-dlq");
    REQUIRE(dead.size() >= 1);
    bool poisoned = false;
    for (auto& d : dead) {
      auto offset = std::stoi(header_value(d, "streams-original-offset"));
      CHECK(d.value == input.at(offset).payload<bytes>());
      CHECK(header_value(d, "streams-step") == "join");
      CHECK(header_value(d, "streams-error") == "a poison in the batch");
      poisoned = poisoned || d.value == "poison";
      seen.insert(d.value);
    }
    CHECK(poisoned);
    std::multiset<std::string> want;
    for (auto& m : input)
      want.insert(m.payload<bytes>());
    CHECK_MESSAGE(seen == want, difference(seen, want));
  }

  TEST_CASE("after a reduce step, a rejected window is a dead letter holding the window, and "
            "every input is committed") {
    kafka::embedded_broker broker(1, {{"in", 1}, {"out", 1}, {"in-dlq", 1}});
    auto boot = broker.bootstrap_servers();
    std::vector<message> input;
    for (auto* word : {"a", "poison", "b", "a", "poison", "b", "a", "poison", "b"})
      input.push_back(plain(word));
    produce(broker, "in", input);

    using counted = windowed<std::uint64_t>;
    auto p = std::make_unique<pipeline>("window-dead-letters");
    p->source("in", sources::kafka(source_config_for(broker, "in", "window-dlq")))
        .reduce<accumulators::count<bytes>>("threes", windows::count(3),
                                            [](const bytes& word) { return word; })
        .map("render",
             [](const counted& w) {
               if (w.key == "poison")
                 throw invalid_message("no poison counts");
               return bytes(w.key + ":" + std::to_string(w.value));
             })
        .sink("out", sinks::kafka(sink_config_for(broker, "out")));
    auto options = dead_letters_to(broker, broker, "window-dlq");
    options.state_dir = ":memory:";
    running_pipeline run(std::move(p), options);
    CHECK(wait_committed_to_end(boot, "in", "window-dlq", 60s) == offsets{{0, 9}});
    REQUIRE(run.stop().ok);

    std::multiset<std::string> out;
    for (auto& r : read_topic(boot, "out"))
      out.insert(r.value);
    CHECK(out == std::multiset<std::string>{"a:3", "b:3"});
    // The window has no source record of its own: its result is the letter, in the binary
    // form the header names, beside who rejected it and why.
    auto dead = read_topic(boot, "in-dlq");
    REQUIRE(dead.size() == 1);
    auto* codec = payload_codec_of<counted>();
    REQUIRE(codec);
    CHECK(header_value(dead[0], "streams-payload-codec") == codec->type);
    CHECK(header_value(dead[0], "streams-step") == "render");
    CHECK(header_value(dead[0], "streams-error") == "no poison counts");
    std::string_view bytes_in(dead[0].value);
    auto decoded = codec->decode(bytes_in);
    REQUIRE(decoded.get_if<counted>());
    auto window = *decoded.get_if<counted>();
    CHECK(window.key == "poison");
    CHECK(window.value == 3);
    CHECK(bytes_in.empty());
  }

  TEST_CASE("a dead letter whose original the topic does not hold is written as the step saw "
            "it, without waiting for it") {
    kafka::embedded_broker broker(1, {{"in", 1}, {"in-dlq", 1}});
    auto boot = broker.bootstrap_servers();
    produce(broker, "in", {plain("m-0"), plain("m-1"), plain("m-2")});
    auto read_timeout = 60s;
    kafka_dead_letter_sink dlq(sink_config_for(broker, "in-dlq"),
                               source_config_for(broker, "in", "unused"), 0, read_timeout);
    auto letter = [](std::int64_t offset) {
      message m(bytes("as the step saw it"));
      m.set_lineage(lineage(origin{0, 0, offset, origin::full_weight}));
      return to_dead_letter(std::move(m), "in", "check", "bad");
    };
    std::vector<message> letters{letter(1), letter(1000)};
    test::recording_report report;
    auto started = std::chrono::steady_clock::now();
    dlq.write(letters, report);
    dlq.flush(report);
    // Offset 1000 is past the partition's end: asking the broker says so at once.
    CHECK(std::chrono::steady_clock::now() - started < read_timeout / 2);
    CHECK(report.delivered_lineages.size() == 2);
    std::multiset<std::string> values;
    for (auto& r : read_topic(boot, "in-dlq"))
      values.insert(r.value);
    CHECK(values == std::multiset<std::string>{"m-1", "as the step saw it"});
  }

  TEST_CASE("an invalid message's offset is committed only once the dead-letter topic has it") {
    kafka::embedded_broker broker(1, {{"in", 1}, {"out", 1}});
    kafka::embedded_broker dlq_broker(1, {{"in-dlq", 1}});
    auto boot = broker.bootstrap_servers();
    dlq_broker.set_down();
    std::vector<message> input;
    for (int i = 0; i < 20; ++i)
      input.push_back(i == 5 ? plain("not JSON") : plain(R"({"n":)" + std::to_string(i) + "}"));
    produce(broker, "in", input);

    running_pipeline run(parsing_pipeline(broker, "gate"),
                         dead_letters_to(broker, dlq_broker, "gate"));
    // everything else is delivered, yet the group commits nothing past the dead letter
    REQUIRE(test::eventually([&] { return read_topic(boot, "out").size() == 19; }, 30s));
    auto deadline = std::chrono::steady_clock::now() + 2s; // several commit intervals
    while (std::chrono::steady_clock::now() < deadline) {
      auto committed = committed_offsets(boot, "in", "gate").at(0);
      REQUIRE(committed <= 5);
    }
    dlq_broker.set_up();
    CHECK(wait_committed_to_end(boot, "in", "gate", 60s) == offsets{{0, 20}});
    REQUIRE(run.stop().ok);
    auto dead = read_topic(dlq_broker.bootstrap_servers(), "in-dlq");
    REQUIRE(dead.size() == 1);
    CHECK(dead.front().value == "not JSON");
  }

  TEST_CASE("a record the sink's producer refuses for its size goes to the dead letters, with the "
            "sink's error, and the rest flows") {
    kafka::embedded_broker broker(1, {{"in", 1}, {"out", 1}, {"in-dlq", 1}});
    auto boot = broker.bootstrap_servers();
    const int total = 50, huge = 20;
    std::vector<message> input;
    for (int i = 0; i < total; ++i)
      input.push_back(plain("m-" + std::to_string(i)));
    produce(broker, "in", input);

    auto p = std::make_unique<pipeline>("oversize");
    auto out = sink_config_for(broker, "out");
    out.override_params["message.max.bytes"] = "10000";
    p->source("in", sources::kafka(source_config_for(broker, "in", "oversize")))
        .map("grow",
             [huge](const bytes& b) { return id_of(b) == huge ? b + std::string(20000, '.') : b; })
        .sink("out", sinks::kafka(out));
    running_pipeline run(std::move(p), dead_letters_to(broker, broker, "oversize"));
    CHECK(wait_committed_to_end(boot, "in", "oversize", 60s) == offsets{{0, total}});
    auto result = run.stop();
    REQUIRE(result.ok);
    CHECK(result.find("out")->invalid == 1);

    std::set<int> delivered;
    for (auto& r : read_topic(boot, "out"))
      delivered.insert(id_of(r.value));
    CHECK(delivered.size() == total - 1);
    CHECK(delivered.count(huge) == 0);
    auto dead = read_topic(boot, "in-dlq");
    REQUIRE(dead.size() == 1);
    CHECK(dead.front().value == "m-20"); // the source's record, not the grown one
    CHECK(header_value(dead.front(), "streams-step") == "out");
    CHECK(header_value(dead.front(), "streams-error").find("too large") != std::string::npos);
    CHECK(header_value(dead.front(), "streams-original-offset") == "20");
  }
}
