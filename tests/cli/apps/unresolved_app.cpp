// A test app for the CLI that cannot be loaded: it calls a function no library defines, so
// dlopen (which resolves every symbol at once) refuses it.

#include "streams/app.hpp"

extern "C" void streams_test_function_defined_nowhere();

namespace {

void build(streams::pipeline&) { streams_test_function_defined_nowhere(); }

} // namespace

STREAMS_APP(build)
