#include "streams/json.hpp"

#include "streams/error.hpp"

#include <doctest/doctest.h>

#include <string>
#include <utility>

using namespace streams;

namespace {

std::string parse_error(std::string_view text) {
  try {
    json::parse(text);
  } catch (const invalid_message& e) {
    return e.what();
  }
  return "<no error>";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

} // namespace

TEST_SUITE("json") {

  TEST_CASE("a default json is an empty object") {
    json j;
    CHECK(j.doc().IsObject());
    CHECK(j.dump() == "{}");
  }

  TEST_CASE("parse then dump gives back compact JSON unchanged, member order kept") {
    for (std::string text :
         {R"({"b":1,"a":"x","c":[1,2,{"d":null}],"e":true,"f":-2.5})", R"([1,"two",3])",
          R"("just a string")", "42", R"({"nested":{"deeper":{"deepest":[]}}})",
          R"({"esc":"quote \" backslash \\ newline \n"})"}) {
      CAPTURE(text);
      CHECK(json::parse(text).dump() == text);
    }
  }

  TEST_CASE("parse accepts whitespace and dump writes compact JSON") {
    CHECK(json::parse(" { \"a\" : [ 1 , 2 ] }\n").dump() == R"({"a":[1,2]})");
  }

  TEST_CASE("dump_to appends") {
    std::string out = "prefix:";
    json::parse(R"({"a":1})").dump_to(out);
    CHECK(out == R"(prefix:{"a":1})");
  }

  TEST_CASE("a large document round-trips (more than the inline memory pool)") {
    std::string text = "{";
    for (int i = 0; i < 500; ++i)
      text += (i ? "," : "") + std::string("\"key") + std::to_string(i) + "\":\"value "
              + std::to_string(i) + "\"";
    text += "}";
    REQUIRE(text.size() > 8000);
    auto j = json::parse(text);
    CHECK(j.dump() == text);
    CHECK(j.get_string("key499") == "value 499");
    json copy = j;
    CHECK(copy.dump() == text);
  }

  TEST_CASE("get_string, get_int and get_number read top-level members of the right type") {
    auto j =
        json::parse(R"({"s":"text","i":-12,"big":9007199254740993,"d":1.5,"t":true,"n":null})");
    CHECK(j.get_string("s") == "text");
    CHECK(j.get_int("i") == -12);
    CHECK(j.get_int("big") == 9007199254740993); // beyond a double's exact range
    CHECK(j.get_number("d") == 1.5);
    CHECK(j.get_number("i") == -12.0);

    CHECK_FALSE(j.get_string("i").has_value());
    CHECK_FALSE(j.get_int("s").has_value());
    CHECK_FALSE(j.get_int("d").has_value());
    CHECK_FALSE(j.get_int("t").has_value());
    CHECK_FALSE(j.get_number("n").has_value());
    CHECK_FALSE(j.get_string("missing").has_value());
    CHECK(j.find("missing") == nullptr);
    REQUIRE(j.find("t") != nullptr);
    CHECK(j.find("t")->IsTrue());
  }

  TEST_CASE("the getters find nothing in a document that is not an object") {
    auto j = json::parse(R"([{"s":"x"}])");
    CHECK(j.find("s") == nullptr);
    CHECK_FALSE(j.get_string("s").has_value());
  }

  TEST_CASE("set adds a member or replaces the existing one") {
    auto j = json::parse(R"({"a":1})");
    j.set("a", std::int64_t{2});
    j.set("b", std::string_view("two"));
    j.set("c", true);
    j.set("d", 0.5);
    CHECK(j.dump() == R"({"a":2,"b":"two","c":true,"d":0.5})");
    j.set("b", std::int64_t{3}); // a member may change type
    CHECK(j.get_int("b") == 3);
    CHECK(j.doc().MemberCount() == 4);
  }

  TEST_CASE("set with a string literal stores the string") {
    json j;
    j.set("name", "value");
    CHECK(j.get_string("name") == "value");
    CHECK(j.dump() == R"({"name":"value"})");
  }

  TEST_CASE("set copies the key and the string it is given") {
    json j;
    {
      std::string key = "dynamic-key";
      std::string value = "dynamic-value";
      j.set(key, std::string_view(value));
      key.assign(key.size(), 'x');
      value.assign(value.size(), 'y');
    }
    CHECK(j.get_string("dynamic-key") == "dynamic-value");
  }

  TEST_CASE("set on a document that is not an object is an invalid message") {
    auto j = json::parse("[1]");
    CHECK_THROWS_AS(j.set("a", true), invalid_message);
    CHECK(j.dump() == "[1]");
  }

  TEST_CASE("a copy is deep: changing one leaves the other as it was") {
    auto original = json::parse(R"({"s":"orig","list":[1,2],"obj":{"x":1}})");
    json copy = original;
    copy.set("s", std::string_view("changed"));
    copy.doc()["list"].PushBack(3, copy.allocator());
    copy.doc()["obj"]["x"].SetInt(99);
    CHECK(original.dump() == R"({"s":"orig","list":[1,2],"obj":{"x":1}})");
    CHECK(copy.dump() == R"({"s":"changed","list":[1,2,3],"obj":{"x":99}})");

    json assigned;
    assigned = original;
    original.set("s", std::string_view("later"));
    CHECK(assigned.get_string("s") == "orig");
  }

  TEST_CASE("a copy outlives the document it was copied from") {
    json copy;
    {
      auto original =
          json::parse(R"({"long string":"a string long enough not to be stored inline"})");
      copy = original;
    }
    CHECK(copy.get_string("long string") == "a string long enough not to be stored inline");
  }

  TEST_CASE("a moved document keeps its content") {
    auto j = json::parse(R"({"a":"b"})");
    json moved = std::move(j);
    CHECK(moved.get_string("a") == "b");
    json assigned;
    assigned = std::move(moved);
    CHECK(assigned.dump() == R"({"a":"b"})");
  }

  TEST_CASE("invalid JSON throws invalid_message naming the offset and the error") {
    auto missing_value = parse_error(R"({"a":})"); // the value is due at offset 5
    CHECK(contains(missing_value, "offset 5"));
    CHECK(contains(missing_value, "Invalid value"));

    auto empty = parse_error("");
    CHECK(contains(empty, "offset 0"));
    CHECK(contains(empty, "empty"));

    auto trailing = parse_error(R"({"a":1} x)"); // a second root value at offset 8
    CHECK(contains(trailing, "offset 8"));

    CHECK(contains(parse_error(R"([1,2)"), "offset 4"));
    CHECK(parse_error(R"({"a":1})") == "<no error>");
  }

  TEST_CASE("nesting deeper than 1000 levels is an invalid message, however deep") {
    auto nested = [](int depth, const char* open, const char* close) {
      std::string text;
      for (int i = 0; i < depth; ++i)
        text += open;
      text += "1";
      for (int i = 0; i < depth; ++i)
        text += close;
      return text;
    };
    // ~160 KB: deep enough to overflow a thread's stack in a parser that recurses without bound
    auto deep = parse_error(nested(80000, "[", "]"));
    CHECK(contains(deep, "nested deeper than 1000 levels"));
    CHECK(contains(deep, "offset 1001"));
    CHECK(contains(parse_error(nested(80000, R"({"a":)", "}")), "nested deeper than 1000 levels"));
    CHECK(contains(parse_error(nested(1001, "[", "]")), "nested deeper than 1000 levels"));

    // the deepest accepted document copies and dumps like any other
    auto deepest = nested(500, R"({"a":[)", "]}");
    auto j = json::parse(deepest);
    json copy = j;
    CHECK(copy.dump() == deepest);
  }

  TEST_CASE("invalid UTF-8 in a string is an invalid message, valid UTF-8 round-trips") {
    for (std::string bad : {"\xC3\x28", "\xE2\x82", "\xC0\xAF", "\xED\xA0\x80", "\xF5\x80\x80\x80",
                            "\xFF", "ok\x80"}) {
      CAPTURE(bad);
      CHECK(contains(parse_error(R"({"a":")" + bad + R"("})"), "Invalid encoding in string"));
      CHECK(contains(parse_error(R"({")" + bad + R"(":1})"), "Invalid encoding in string"));
    }
    std::string good = "{\"caf\xC3\xA9\":\"\xE2\x82\xAC \xF0\x9F\x98\x80\"}";
    CHECK(json::parse(good).dump() == good);
  }

  TEST_CASE("numbers read as Python reads them, however many digits") {
    // RapidJSON's own conversion read past its tables on numbers of more than 780 digits (found
    // by the fuzzer: tests/fuzz/corpus/json/long_number.json replays it there)
    CHECK(json::parse("[888." + std::string(780, '8') + "e-333]").dump() == "[0.0]");
    CHECK(json::parse("[1." + std::string(800, '2') + "]").doc()[0].GetDouble()
          == 1.2222222222222223);
    CHECK(json::parse("[-0." + std::string(330, '0') + "1]").dump() == "[-0.0]");
    CHECK(json::parse("[1e-400,0.1e-322]").dump() == "[0.0,1e-323]");
    // integers stay integers while they fit 64 bits; beyond, they are doubles
    CHECK(json::parse("[-9223372036854775808,18446744073709551615,-0,7]").dump()
          == "[-9223372036854775808,18446744073709551615,0,7]");
    CHECK(json::parse("[18446744073709551616]").doc()[0].GetDouble() == 18446744073709551616.0);
    CHECK(json::parse(R"({"i":-12,"d":0.1})").get_int("i") == -12);
    CHECK(json::parse(R"({"i":-12,"d":0.1})").get_number("d") == 0.1);
    // beyond a double's range: Python reads infinity, which is no JSON
    CHECK(contains(parse_error("[1" + std::string(400, '0') + "]"), "Number too big"));
    CHECK(contains(parse_error("[17976931348623159e292]"),
                   "offset 1: a number beyond the range of a double"));
  }

  TEST_CASE("an escaped lone low surrogate is an invalid message, a pair is a character") {
    // RapidJSON decoded it into bytes that are no UTF-8, which a dump then wrote
    CHECK(contains(parse_error(R"(["\udc00"])"), "a lone UTF-16 surrogate escape in a string"));
    CHECK(contains(parse_error(R"({"\uDFFF":1})"), "a lone UTF-16 surrogate escape in a string"));
    CHECK(contains(parse_error("[\"\xE2\x82\xAC\\udc00\"]"), "a lone UTF-16 surrogate escape"));
    CHECK(contains(parse_error(R"(["\ud800"])"), "surrogate"));
    CHECK(json::parse(R"(["\ud83d\ude00 \ud7ff"])").dump()
          == "[\"\xF0\x9F\x98\x80 \xED\x9F\xBF\"]");
  }

  TEST_CASE("a repeated key keeps its first place and its last value, as in Python") {
    CHECK(json::parse(R"({"a":1,"b":2,"a":3})").dump() == R"({"a":3,"b":2})");
    CHECK(json::parse(R"({"a":1,"a":2,"a":3})").get_int("a") == 3);
    // a member moves into the place of a repeat, and is then repeated itself (found by the fuzzer)
    CHECK(json::parse(R"({"a":1,"a":2,"b":3,"b":4})").dump() == R"({"a":2,"b":4})");
    CHECK(json::parse(R"({"":1,"x":{"k":1,"k":[{"z":1,"z":2}]},"":2})").dump()
          == R"({"":2,"x":{"k":[{"z":2}]}})");
    // a repeat whose last value is an empty object (found by the fuzzer: RapidJSON asserts
    // when erasing from one; tests/fuzz/corpus/json/repeat_empty_object.json replays it there)
    CHECK(json::parse(R"({"a":0,"b":2,"a":{}})").dump() == R"({"a":{},"b":2})");
    // the same key in different objects is no repeat
    CHECK(json::parse(R"({"a":{"a":1},"b":[{"a":2},{"a":3}]})").dump()
          == R"({"a":{"a":1},"b":[{"a":2},{"a":3}]})");
    // keys alike in length, first and last letters, but different
    CHECK(json::parse(R"({"axb":1,"ayb":2,"axb":3})").dump() == R"({"axb":3,"ayb":2})");
    CHECK(json::parse(R"({"axb":1,"ayb":2})").dump() == R"({"axb":1,"ayb":2})");

    std::string many = "{";
    for (int i = 0; i < 100; ++i)
      many += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
    CHECK(json::parse(many + R"("k0":"last"})").get_string("k0") == "last");
    CHECK(json::parse(many + R"("k100":100})").doc().MemberCount() == 101);

    std::string deep_objects;
    for (int i = 0; i < 20; ++i)
      deep_objects += R"({"o":)";
    deep_objects += R"({"d":1,"d":2})" + std::string(20, '}');
    CHECK(json::parse(deep_objects).dump()
          == std::string(deep_objects).replace(deep_objects.find(R"("d":1,)"), 6, ""));
  }

} // TEST_SUITE
