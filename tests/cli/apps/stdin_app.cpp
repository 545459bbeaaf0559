// A test app for the CLI: lines of standard input, upper-cased, to standard output.

#include "streams/app.hpp"
#include "streams/sinks/stream_sinks.hpp"
#include "streams/sources/file_source.hpp"

#include <cctype>

namespace {

void build(streams::pipeline& p) {
  p.source("lines", streams::sources::stdin_lines())
      .map("upper",
           [](const streams::bytes& line) {
             auto out = line;
             for (auto& c : out)
               c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
             return out;
           })
      .sink("out", streams::sinks::stdout_lines());
}

} // namespace

STREAMS_APP(build)
