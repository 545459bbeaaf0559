// Sentry Streams' broadcast example: every {"name": NAME} event is greeted on one topic and
// bidden farewell on another.

#include "examples.hpp"

#include "streams/sources/stream_source.hpp"

namespace streams::examples {

namespace {

std::string name_of(const bytes& event) {
  auto doc = json::parse(event);
  auto name = doc.get_string("name");
  if (!name)
    throw invalid_message("event has no string 'name'");
  return std::string(*name);
}

} // namespace

void broadcast(pipeline& p) {
  auto copies = p.source("myinput", sources::stream("events"))
                    .map("no_op_map", [](const bytes& event) { return event; })
                    .broadcast("broadcast", {"hello", "goodbye"});
  copies.branch("hello")
      .map("hello_map", [](const bytes& e) { return "Hello, " + name_of(e) + "!"; })
      .sink("hello_sink", sinks::stream("transformed-events"));
  copies.branch("goodbye")
      .map("goodbye_map", [](const bytes& e) { return "Goodbye, " + name_of(e) + "."; })
      .sink("goodbye_sink", sinks::stream("transformed-events-2"));
}

} // namespace streams::examples
