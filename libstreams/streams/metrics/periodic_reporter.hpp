#pragma once

#include "streams/metrics/metrics_registry.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace streams::metrics {

/// Hands a pipeline's samples to `report` every `period`, from a thread of its own, and once
/// more when destroyed, so that what the pipeline did last is reported too. `report` runs on
/// that thread only. The registry must outlive the reporter.
class periodic_reporter {
public:
  using report_fn = std::function<void(const std::vector<sample>&)>;

  periodic_reporter(const metrics_registry& registry, std::chrono::milliseconds period,
                    report_fn report);
  ~periodic_reporter();
  periodic_reporter(const periodic_reporter&) = delete;
  periodic_reporter& operator=(const periodic_reporter&) = delete;

private:
  void run();

  const metrics_registry& registry_;
  std::chrono::milliseconds period_;
  report_fn report_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

/// The samples as log lines in logfmt, one per sample, `tags` added:
/// `metric=streams.pipeline.input.messages pipeline=p step=s value=42`; a histogram has
/// `count=` and `sum=` (seconds) instead of `value=`.
std::vector<std::string> log_lines(const std::vector<sample>& samples,
                                   const std::map<std::string, std::string>& tags = {});

} // namespace streams::metrics
