#include "streams/wire.hpp"

#include "streams/json.hpp"
#include "streams/windows/accumulator.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

using namespace streams;

namespace {

/// A user type that saves itself, as accumulators do.
struct span_totals {
  std::map<std::string, std::int64_t> by_name;
  void save(std::string& out) const { codec::encode(out, by_name); }
  static span_totals load(std::string_view in) {
    span_totals t;
    codec::decode(in, t.by_name);
    return t;
  }
};

struct opaque {
  int x = 0;
};

template <class T>
message round_trip(const message& m) {
  auto c = payload_codec_of<T>();
  REQUIRE(c);
  std::string wire;
  encode_message(m, *c, wire);
  std::string_view in = wire;
  auto back = decode_message(in, *c);
  CHECK(in.empty()); // exactly one message's bytes were read
  return back;
}

message full_message(value payload) {
  message m;
  m.any_payload() = std::move(payload);
  m.set_key(std::string("k\0ey", 4));
  m.add_header("a", "1");
  m.add_header("a", std::string("\xff\0", 2)); // names repeat, values are bytes
  m.set_timestamp(1'700'000'000'123);
  m.set_schema("ingest-metrics");
  lineage l(origin{2, 7, 123456789012, origin::full_weight / 3});
  l.absorb(lineage(origin{0, -1, 5, 17}));
  m.set_lineage(l);
  return m;
}

void check_envelope(const message& back, const message& m) {
  CHECK(back.key() == m.key());
  CHECK(back.headers() == m.headers());
  CHECK(back.timestamp() == m.timestamp());
  CHECK(back.schema() == m.schema());
  CHECK(back.lineage().origins() == m.lineage().origins());
}

} // namespace

TEST_SUITE("wire") {
  TEST_CASE("a message crosses with its payload, key, headers, timestamp, schema and lineage") {
    auto m = full_message(bytes("payload\0with zero", 17));
    auto back = round_trip<bytes>(m);
    CHECK(back.payload<bytes>() == m.payload<bytes>());
    check_envelope(back, m);
  }

  TEST_CASE("no key and an empty key stay apart") {
    message m(bytes("x"));
    CHECK_FALSE(round_trip<bytes>(m).key().has_value());
    m.set_key(std::string());
    auto back = round_trip<bytes>(m);
    REQUIRE(back.key().has_value());
    CHECK(back.key()->empty());
  }

  TEST_CASE("JSON, windowed results, containers and types that save themselves have a wire form") {
    auto j = json::parse(R"({"name":"a","n":[1,2.5,null]})");
    CHECK(round_trip<json>(full_message(j)).payload<json>().dump() == j.dump());

    windowed<std::vector<std::string>> w{"key", 10, 20, {"a", "b"}};
    auto wb = round_trip<decltype(w)>(full_message(w)).payload<decltype(w)>();
    CHECK(wb.key == "key");
    CHECK(wb.start_ms == 10);
    CHECK(wb.end_ms == 20);
    CHECK(wb.value == w.value);

    std::vector<windowed<std::uint64_t>> batch{{"a", 0, 1, 3}, {"b", 1, 2, 4}};
    auto bb = round_trip<decltype(batch)>(full_message(batch)).payload<decltype(batch)>();
    REQUIRE(bb.size() == 2);
    CHECK(bb[1].key == "b");
    CHECK(bb[1].value == 4);

    span_totals t{{{"db", 12}, {"http", 30}}};
    auto tb = round_trip<span_totals>(full_message(t)).payload<span_totals>();
    CHECK(tb.by_name == t.by_name);
    std::vector<span_totals> ts{t, {}};
    CHECK(round_trip<std::vector<span_totals>>(full_message(ts))
              .payload<std::vector<span_totals>>()[0]
              .by_name
          == t.by_name);
  }

  TEST_CASE("a type the codec does not know has no wire form") {
    CHECK(payload_codec_of<opaque>() == nullptr);
    CHECK(payload_codec_of<std::vector<opaque>>() == nullptr);
    CHECK(payload_codec_of<windowed<opaque>>() == nullptr);
    CHECK(payload_codec_of<bytes>()->type == "bytes");
  }

  TEST_CASE("a payload of another type than the codec's is refused") {
    std::string wire;
    CHECK_THROWS_AS(encode_message(message(json()), *payload_codec_of<bytes>(), wire), wire_error);
    CHECK(wire.empty());
  }

  TEST_CASE("truncated, corrupt or foreign bytes are a wire_error, never a crash") {
    auto c = payload_codec_of<json>();
    std::string wire;
    encode_message(full_message(json::parse(R"({"a":1})")), *c, wire);
    for (std::size_t n = 0; n < wire.size(); ++n) {
      CAPTURE(n);
      std::string_view in(wire.data(), n);
      CHECK_THROWS_AS(decode_message(in, *c), wire_error);
    }
    auto other_version = wire;
    other_version[0] = 9;
    std::string_view in = other_version;
    CHECK_THROWS_WITH_AS(decode_message(in, *c), doctest::Contains("wire version 9"), wire_error);
    // A JSON payload that does not parse: its length prefix sits right after the version.
    auto bad_json = wire;
    bad_json[1 + 4] = '!';
    in = bad_json;
    CHECK_THROWS_AS(decode_message(in, *c), wire_error);
  }
}
