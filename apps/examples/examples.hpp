#pragma once

#include "streams/app.hpp"

#include <string>
#include <vector>

namespace streams::examples {

/// A built-in application, runnable by name: `streams run --config C simple_map_filter`.
struct example {
  std::string name;
  std::string description;
  app_function build;
};

/// Every built-in example: the Sentry Streams examples, ported with the same step names.
const std::vector<example>& all();

void simple_map_filter(pipeline& p);
void blq(pipeline& p);
void broadcast(pipeline& p);
void simple_batching(pipeline& p);
void devnull_benchmark(pipeline& p);
void word_counter(pipeline& p);
void transformer(pipeline& p);
void alerts(pipeline& p);
void billing(pipeline& p);
void spans_buffer(pipeline& p);

} // namespace streams::examples
