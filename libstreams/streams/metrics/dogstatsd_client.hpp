#pragma once

#include "streams/metrics/metrics_registry.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace streams::metrics {

/// Sends samples to a DogStatsD agent over UDP (Datadog's StatsD with tags):
///   - counters as what they grew since the previous `send` (`name:3|c`), skipped when 0;
///   - gauges as they are (`name:7|g`);
///   - histograms as the mean of the observations since the previous `send`, in milliseconds
///     (`name:1.5|ms`), skipped when there were none: the buckets cannot be sent as the
///     single observations DogStatsD expects.
/// Tags follow as `|#pipeline:p,step:s`, with `tags` added to each; `|` and `,` in a tag
/// become `_`. Lines are packed into datagrams of at most 1432 bytes (one Ethernet frame).
/// Lost datagrams are not retried (UDP): a counter's increase is then missing.
///
/// One thread at a time (a periodic reporter's).
class dogstatsd_client {
public:
  /// Resolves `host` (IPv4) and opens the socket; throws `std::runtime_error` if it cannot.
  dogstatsd_client(const std::string& host, std::uint16_t port,
                   std::map<std::string, std::string> tags);
  ~dogstatsd_client();
  dogstatsd_client(const dogstatsd_client&) = delete;
  dogstatsd_client& operator=(const dogstatsd_client&) = delete;

  void send(const std::vector<sample>& samples);

private:
  struct previous {
    double value = 0;
    histogram::snapshot buckets;
  };
  void flush(std::string& packet);

  int fd_ = -1;
  std::string constant_tags_;
  std::map<std::string, previous> sent_; // by name and tags
};

} // namespace streams::metrics
