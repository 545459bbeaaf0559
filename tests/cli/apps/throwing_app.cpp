// A test app for the CLI that loads but cannot build its pipeline: its function throws.

#include "streams/app.hpp"

#include <stdexcept>

namespace {

void build(streams::pipeline&) { throw std::runtime_error("the app's settings are missing"); }

} // namespace

STREAMS_APP(build)
