#include "streams/steps/json_parser_step.hpp"

#include "streams/error.hpp"
#include "streams/json.hpp"

#include "libstreams/support/collecting_emitter.hpp"
#include "libstreams/support/messages.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace streams;
using streams::test::collecting_emitter;

TEST_SUITE("steps.json_parser_step") {

  TEST_CASE("parser turns valid JSON bytes into a json payload, keeping the rest") {
    json_parser_step step;
    auto in = test::decorated(bytes(R"({"id":7,"name":"n"})"), 5);
    auto original = in;
    collecting_emitter out;
    step.process(in, out);
    REQUIRE(out.out.size() == 1);
    auto& m = out.out[0].msg;
    REQUIRE(m.payload_if<json>() != nullptr);
    CHECK(m.payload<json>().get_int("id") == 7);
    CHECK(m.payload<json>().get_string("name") == "n");
    CHECK(m.key() == original.key());
    CHECK(m.headers() == original.headers());
    CHECK(m.timestamp() == original.timestamp());
    CHECK(m.schema() == original.schema());
    CHECK(m.lineage().origins() == original.lineage().origins());
  }

  TEST_CASE(
      "malformed JSON is an invalid message naming the offset, and the message is unchanged") {
    json_parser_step step;
    const bytes text = R"({"id":7,)"; // ends where a member name is due, at offset 8
    auto in = test::decorated(text, 5);
    collecting_emitter out;
    try {
      step.process(in, out);
      FAIL("expected invalid_message");
    } catch (const invalid_message& e) {
      CHECK(std::string(e.what()).find("offset 8") != std::string::npos);
    }
    CHECK(out.empty());
    REQUIRE(in.payload_if<bytes>() != nullptr);
    CHECK(in.payload<bytes>() == text);
    CHECK(in.lineage().origins().size() == 1);
  }

  TEST_CASE("serializer writes one document as bytes") {
    json_serializer_step step;
    auto doc = json::parse(R"({"a":1,"b":[true,null]})");
    auto in = test::decorated(doc, 2);
    auto original = in;
    collecting_emitter out;
    step.process(in, out);
    REQUIRE(out.out.size() == 1);
    auto& m = out.out[0].msg;
    REQUIRE(m.payload_if<bytes>() != nullptr);
    CHECK(m.payload<bytes>() == R"({"a":1,"b":[true,null]})");
    CHECK(m.headers() == original.headers());
    CHECK(m.lineage().origins() == original.lineage().origins());
  }

  TEST_CASE("serializer writes a batch of documents as one JSON array, in order") {
    json_serializer_step step;
    std::vector<json> batch{json::parse(R"({"n":1})"), json::parse(R"({"n":2})"),
                            json::parse(R"({"n":3})")};
    auto in = test::sourced(batch, 0);
    collecting_emitter out;
    step.process(in, out);
    REQUIRE(out.out.size() == 1);
    auto text = out.out[0].msg.payload<bytes>();
    CHECK(text == R"([{"n":1},{"n":2},{"n":3}])");
    // What it wrote is JSON that reads back as the same documents.
    auto back = json::parse(text);
    REQUIRE(back.doc().IsArray());
    REQUIRE(back.doc().Size() == 3);
    CHECK(back.doc()[2]["n"].GetInt() == 3);
  }

  TEST_CASE("serializer writes an empty batch as an empty array") {
    json_serializer_step step;
    auto in = test::sourced(std::vector<json>{}, 0);
    collecting_emitter out;
    step.process(in, out);
    REQUIRE(out.out.size() == 1);
    CHECK(out.out[0].msg.payload<bytes>() == "[]");
  }

  TEST_CASE("serializer rejects a payload that is not JSON and leaves it as it was") {
    json_serializer_step step;
    auto in = test::sourced(bytes("{}"), 0);
    collecting_emitter out;
    CHECK_THROWS_AS(step.process(in, out), invalid_message);
    CHECK(out.empty());
    CHECK(in.payload<bytes>() == "{}");
  }

  TEST_CASE("parse then serialize gives back the text") {
    json_parser_step parse;
    json_serializer_step serialize;
    const bytes text = R"({"k":"v","n":[1,2.5,-3],"o":{"x":false}})";
    auto in = test::sourced(text, 0);
    collecting_emitter parsed;
    parse.process(in, parsed);
    REQUIRE(parsed.out.size() == 1);
    collecting_emitter written;
    serialize.process(parsed.out[0].msg, written);
    REQUIRE(written.out.size() == 1);
    CHECK(written.out[0].msg.payload<bytes>() == text);
  }

} // TEST_SUITE
