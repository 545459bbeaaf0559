#pragma once

#include "streams/pipeline.hpp"
#include "streams/sink.hpp"

#include <chrono>
#include <random>

namespace streams {

/// How a DevNull sink pretends to be a real one (Sentry Streams' DevNullSink): messages are
/// held until `batch_size` have come or `batch_time` has passed since the first, then the
/// "flush" takes a random time averaging `average_sleep` (at most `max_sleep`) before they
/// count as delivered. All zero (the default): every message is delivered at once.
struct devnull_options {
  std::size_t batch_size = 0;
  std::chrono::microseconds batch_time{0};
  std::chrono::microseconds average_sleep{0};
  std::chrono::microseconds max_sleep{0};
};

/// Throws messages away, for benchmarks and for branches whose output nobody needs.
/// The simulated flush sleeps in the calling thread: it is meant to be slow.
class devnull_sink : public sink {
public:
  explicit devnull_sink(devnull_options options = {});

  void write(std::vector<message>& batch, delivery_report& report) override;
  void poll(delivery_report& report) override;
  std::size_t pending() const override { return held_.size(); }
  void flush(delivery_report& report) override;

private:
  void flush_held(delivery_report& report);

  devnull_options options_;
  std::vector<lineage> held_;
  std::chrono::steady_clock::time_point first_held_;
  std::mt19937 random_{std::random_device{}()};
};

namespace sinks {

template <class T = bytes>
sink_spec<T> devnull(devnull_options options = {}) {
  return {"devnull", "discard", [options] { return std::make_unique<devnull_sink>(options); },
          "devnull"};
}

} // namespace sinks
} // namespace streams
