#include "streams/metrics/periodic_reporter.hpp"

#include <cstdio>

namespace streams::metrics {

periodic_reporter::periodic_reporter(const metrics_registry& registry,
                                     std::chrono::milliseconds period, report_fn report)
    : registry_(registry), period_(period), report_(std::move(report)), thread_([this] { run(); }) {
}

periodic_reporter::~periodic_reporter() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void periodic_reporter::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    bool stop = wake_.wait_for(lock, period_, [this] { return stopping_; });
    lock.unlock();
    report_(registry_.collect());
    if (stop)
      return;
    lock.lock();
  }
}

std::vector<std::string> log_lines(const std::vector<sample>& samples,
                                   const std::map<std::string, std::string>& tags) {
  std::vector<std::string> lines;
  for (auto& s : samples) {
    auto line = "metric=" + s.name;
    for (auto& [k, v] : tags)
      line += " " + k + "=" + v;
    for (auto& [k, v] : s.tags)
      line += " " + k + "=" + v;
    char value[96];
    if (s.kind == sample::histogram)
      std::snprintf(value, sizeof value, " count=%llu sum=%.6g",
                    static_cast<unsigned long long>(s.buckets.count()), s.buckets.sum);
    else
      std::snprintf(value, sizeof value, " value=%.15g", s.value);
    lines.push_back(line + value);
  }
  return lines;
}

} // namespace streams::metrics
