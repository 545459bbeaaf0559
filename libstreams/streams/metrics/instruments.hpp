#pragma once

// The instruments a step updates on its hot path. Each is written by one thread only (the
// actor that owns it) and read by any (an exporter, the health endpoints), so an update is a
// relaxed load and store, a plain move on x86: no locked instruction, no shared cache line
// between actors.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace streams::metrics {

/// A count that only goes up.
class counter {
public:
  void add(std::uint64_t n) {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<std::uint64_t> value_{0};
};

/// A value that goes up and down.
class gauge {
public:
  void set(std::int64_t v) { value_.store(v, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<std::int64_t> value_{0};
};

/// Durations in seconds, counted in fixed buckets (the same for every histogram, so that
/// instances of a step merge by adding their counts).
class histogram {
public:
  /// Upper bounds in seconds: 100 us to 60 s, and +Inf after the last.
  static constexpr std::array<double, 16> bounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                    0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                                    1,      2.5,     10,     60};
  static constexpr std::size_t buckets = bounds.size() + 1;

  void observe(double seconds) {
    std::size_t i = 0;
    while (i < bounds.size() && seconds > bounds[i])
      ++i;
    auto& c = counts_[i];
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    sum_.store(sum_.load(std::memory_order_relaxed) + seconds, std::memory_order_relaxed);
  }

  /// What a histogram holds at one moment (not cumulative: counts per bucket).
  struct snapshot {
    std::array<std::uint64_t, buckets> counts{};
    double sum = 0;
    std::uint64_t count() const;
    snapshot& operator+=(const snapshot& o);
  };
  snapshot read() const;

private:
  std::array<std::atomic<std::uint64_t>, buckets> counts_{};
  std::atomic<double> sum_{0};
};

} // namespace streams::metrics
