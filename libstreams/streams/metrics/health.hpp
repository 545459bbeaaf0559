#pragma once

#include "streams/metrics/metrics_registry.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace streams::metrics {

/// The outcome of a health check: `ok`, or the problems found, each naming its step.
struct health_check {
  bool ok = true;
  std::vector<std::string> problems;

  void fail(std::string problem);
  /// `{"status": "ok"|"unavailable", "problems": [...]}`, the body of /health and /ready.
  std::string json() const;
};

/// Liveness: while the pipeline runs, the supervisor and every actor that has not finished
/// answered the supervisor's last probes within `stall_timeout`. An actor blocked in a call
/// (a user function that never returns) stops answering, and so fails this check.
health_check check_liveness(const metrics_registry& r, std::chrono::milliseconds stall_timeout);

/// Readiness: the pipeline is running and every source and sink says it is ready (a Kafka
/// source has partitions and a broker, a Kafka sink a broker), as of the last probe.
health_check check_readiness(const metrics_registry& r);

} // namespace streams::metrics
