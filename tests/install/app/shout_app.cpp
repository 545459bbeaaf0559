// A user's app for the `streams` CLI, built outside the tree as a shared library against the
// installed package by the install test: words in, shouted words out. Its Kafka streams are
// bound by the deployment config given to `streams run` (see ../installed_cli_test.cpp).

#include <streams/app.hpp>
#include <streams/sources/stream_source.hpp>

#include <cctype>

namespace {

void build(streams::pipeline& p) {
  p.source("words", streams::sources::stream("words"))
      .filter("not_empty", [](const streams::bytes& w) { return !w.empty(); })
      .map("shout",
           [](const streams::bytes& w) {
             streams::bytes out = w;
             for (auto& c : out)
               c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
             return out + "!";
           })
      .sink("shouted", streams::sinks::stream("shouted-words"));
}

} // namespace

STREAMS_APP(build)
