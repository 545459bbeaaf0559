#include "streams/dead_letter.hpp"

#include "streams/json.hpp"
#include "streams/windows/accumulator.hpp"
#include "streams/wire.hpp"

#include "libstreams/support/messages.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <vector>

using namespace streams;

namespace {

std::vector<std::string> values_of(const message& m, const std::string& name) {
  std::vector<std::string> out;
  for (auto& h : m.headers())
    if (h.name == name)
      out.push_back(h.value);
  return out;
}

struct opaque {
  int x = 0;
};

} // namespace

TEST_SUITE("dead_letter") {

  TEST_CASE("a bytes payload is kept as it is, with the reason in headers") {
    auto m = test::decorated(bytes("not json {"), 17);
    auto original = m;
    auto d = to_dead_letter(m, "in", "parse", "invalid JSON at offset 10");
    CHECK(d.payload<bytes>() == "not json {");
    CHECK(d.key() == original.key());
    // The original headers come first and unchanged.
    REQUIRE(d.headers().size() >= original.headers().size());
    CHECK(headers(d.headers().begin(), d.headers().begin() + original.headers().size())
          == original.headers());
    CHECK(values_of(d, "streams-step") == std::vector<std::string>{"parse"});
    CHECK(values_of(d, "streams-error") == std::vector<std::string>{"invalid JSON at offset 10"});
    // decorated() puts the message at source 1, partition 3.
    CHECK(values_of(d, "streams-origin") == std::vector<std::string>{"1/3/17"});
    CHECK(values_of(d, "streams-payload-type").empty());
    CHECK(values_of(d, "streams-source") == std::vector<std::string>{"in"});
    auto at = values_of(d, "streams-rejected-at");
    REQUIRE(at.size() == 1);
    CHECK(std::abs(std::stoll(at[0]) - now_ms()) < 60000);
    // The lineage stays, so the offset is committed once the dead letter is written.
    CHECK(d.lineage().origins() == original.lineage().origins());
  }

  TEST_CASE("a json payload is serialized") {
    auto m = test::sourced(json::parse(R"({"a":[1,2]})"), 0);
    auto d = to_dead_letter(m, "in", "enrich", "missing field");
    REQUIRE(d.payload_if<bytes>() != nullptr);
    CHECK(d.payload<bytes>() == R"({"a":[1,2]})");
    CHECK(values_of(d, "streams-payload-type").empty());
  }

  TEST_CASE("a payload that cannot be written is left empty and its type named") {
    auto m = test::sourced(opaque{3}, 0);
    auto d = to_dead_letter(m, "in", "route", "no branch");
    REQUIRE(d.payload_if<bytes>() != nullptr);
    CHECK(d.payload<bytes>().empty());
    auto type = values_of(d, "streams-payload-type");
    REQUIRE(type.size() == 1);
    CHECK(type[0].find("opaque") != std::string::npos);
  }

  TEST_CASE("a payload of the codec's type is written in its binary form, the codec named") {
    using counted = windowed<std::uint64_t>;
    auto* codec = payload_codec_of<counted>();
    REQUIRE(codec);
    auto d =
        to_dead_letter(test::sourced(counted{"k", 1000, 2000, 7}, 0), "in", "render", "bad", codec);
    CHECK(values_of(d, "streams-payload-codec") == std::vector<std::string>{codec->type});
    CHECK(values_of(d, "streams-payload-type").empty());
    std::string_view in(d.payload<bytes>());
    auto back = codec->decode(in);
    REQUIRE(back.get_if<counted>());
    CHECK(back.get_if<counted>()->key == "k");
    CHECK(back.get_if<counted>()->end_ms == 2000);
    CHECK(back.get_if<counted>()->value == 7);

    // A codec of another type is no help: the payload is left empty, its type named.
    auto other = to_dead_letter(test::sourced(opaque{3}, 0), "in", "render", "bad", codec);
    CHECK(other.payload<bytes>().empty());
    CHECK(values_of(other, "streams-payload-codec").empty());
    CHECK(values_of(other, "streams-payload-type").size() == 1);
  }

  TEST_CASE("every origin of a batch is named") {
    auto m = test::sourced(bytes("x"), 4, 0, 0);
    m.lineage().absorb(lineage(origin{1, 2, 9, origin::full_weight}));
    auto d = to_dead_letter(m, "in", "batch", "bad");
    CHECK(values_of(d, "streams-origin") == std::vector<std::string>{"0/0/4", "1/2/9"});
  }

  TEST_CASE("last_header finds the dead letter's own header after earlier ones of that name") {
    auto m = test::sourced(bytes("x"), 0);
    m.add_header("streams-step", "an earlier pipeline's");
    auto d = to_dead_letter(m, "in", "parse", "bad");
    CHECK(last_header(d, "streams-step") == "parse");
    CHECK(last_header(d, "no-such-header").empty());
  }

} // TEST_SUITE
