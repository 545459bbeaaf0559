#pragma once

#include <functional>

namespace streams {

/// Wakes the actor of a source or sink step: a step whose client library learns of new work
/// on a thread of its own (librdkafka's) calls it so that the runtime serves the step at once
/// instead of polling it every millisecond. Callable from any thread, cheap, and harmless once
/// the pipeline has stopped.
using waker = std::function<void()>;

} // namespace streams
