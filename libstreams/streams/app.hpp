#pragma once

#include "streams/pipeline.hpp"

/// An application is a function that adds its steps to a pipeline. The `streams` CLI runs
/// built-in examples by name, and applications built as shared libraries against the
/// installed package by path; such a library exports its function with:
///
///     void build(streams::pipeline& p) { p.source(...)...; }
///     STREAMS_APP(build)
///
/// The CLI calls the exported `streams_app` once, then binds the pipeline's sources and sinks
/// to what the deployment config says and runs it.
#define STREAMS_APP(builder)                                                                       \
  extern "C" void streams_app(::streams::pipeline& p) { builder(p); }

namespace streams {

/// The signature of the function STREAMS_APP exports.
using app_function = void (*)(pipeline&);

} // namespace streams
