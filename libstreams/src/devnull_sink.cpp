#include "streams/sinks/devnull_sink.hpp"

#include <algorithm>
#include <thread>

namespace streams {

devnull_sink::devnull_sink(devnull_options options) : options_(options) {}

void devnull_sink::write(std::vector<message>& batch, delivery_report& report) {
  if (options_.batch_size == 0 && options_.batch_time.count() == 0) {
    for (auto& m : batch)
      report.delivered(m.lineage());
    return;
  }
  for (auto& m : batch) {
    if (held_.empty())
      first_held_ = std::chrono::steady_clock::now();
    held_.push_back(m.lineage());
    if (options_.batch_size > 0 && held_.size() >= options_.batch_size)
      flush_held(report);
  }
  poll(report);
}

void devnull_sink::poll(delivery_report& report) {
  if (!held_.empty() && options_.batch_time.count() > 0
      && std::chrono::steady_clock::now() - first_held_ >= options_.batch_time)
    flush_held(report);
}

void devnull_sink::flush(delivery_report& report) { flush_held(report); }

void devnull_sink::flush_held(delivery_report& report) {
  if (held_.empty())
    return;
  if (options_.average_sleep.count() > 0) {
    // Uniform around the average; capped by the maximum when one is given.
    std::uniform_int_distribution<long> pick(0, 2 * options_.average_sleep.count());
    auto sleep = std::chrono::microseconds(pick(random_));
    if (options_.max_sleep.count() > 0)
      sleep = std::min(sleep, options_.max_sleep);
    std::this_thread::sleep_for(sleep);
  }
  for (auto& l : held_)
    report.delivered(l);
  held_.clear();
}

} // namespace streams
