#pragma once

// What every benchmark of the harness shares: timing, medians and percentiles, the options
// of a run, progress lines on standard error, and failing loudly.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace streams::bench {

using clock = std::chrono::steady_clock;
using seconds = std::chrono::duration<double>;

/// The command line of `streams_bench`; every benchmark reads what concerns it.
struct options {
  int runs = 5;
  /// Benchmarks to run (memory, kafka, cli, windows, cluster); all when empty.
  std::vector<std::string> only;
  /// In-memory benchmark: messages per run.
  std::size_t memory_messages = 2'000'000;
  /// Kafka benchmark: messages per partition, pre-produced into 4 partitions.
  std::size_t kafka_per_partition = 40'000;
  /// Kafka benchmark: how long the paced latency run lasts (0: no latency runs).
  double latency_seconds = 5;
  /// CLI benchmark: messages per partition, pre-produced into 8 partitions.
  std::size_t cli_per_partition = 15'000;
  /// Cluster benchmark: in-memory messages per run of each side.
  std::size_t cluster_messages = 2'000'000;
  /// Cluster benchmark, internal: run as the node called `cluster_node`, listening on `listen`,
  /// or as the plain CAF loop's receiver on `caf_receiver` (the harness starts itself so).
  std::string cluster_node, listen, caf_receiver;
  /// Window benchmark: events per run of each case.
  std::size_t window_events = 4'000'000;
  /// Window benchmark, internal: run this one case ("sliding1-lmdb") once and print its
  /// memory use, instead of benchmarking (the harness starts itself with it).
  std::string window_child;
  /// The `streams` binary, the Python interpreter with confluent_kafka, and the source tree.
  std::string streams_cli;
  std::string python = "/usr/bin/python3";
  std::string source_dir;

  /// Sides to run (pipeline, loop, python, cli), for trying one out; all when empty. A
  /// benchmark missing a side reports no ratio for it.
  std::vector<std::string> sides;

  bool selected(const std::string& name) const;
  bool has_side(const std::string& name) const;
};

double median(std::vector<double> v);
/// The `p`-th percentile (0-100) of `v` (nearest rank), which it sorts.
double percentile(std::vector<double>& v, double p);

/// "0.31" for 310000 (millions, two decimals).
std::string millions(double per_second);
/// "0.31, 0.29, 0.33": every run's rate in millions.
std::string millions_list(const std::vector<double>& per_second);

/// Prints the Markdown table of each side's median and every run's rate, then the header of the
/// ratio table (whose rows `ratio_row` makes).
void print_rates(const char* const names[], const std::vector<double> rates[], int sides, int runs);
/// The same for names built at run time, one per entry of `rates`.
void print_rates(const std::vector<std::string>& names,
                 const std::vector<std::vector<double>>& rates, int runs);

/// `a[i] / b[i]` for every run both sides ran in; empty when either side did not run.
std::vector<double> ratios(const std::vector<double>& a, const std::vector<double>& b);
/// A Markdown table row: the ratio of the medians, the median of the per-run ratios, the floor
/// and PASS or FAIL (judged on the ratio of the medians); "n/a" when a side did not run.
std::string ratio_row(const std::string& what, const std::vector<double>& a,
                      const std::vector<double>& b, double floor);
/// The same row for a ratio that has no floor, for scale.
std::string ratio_row(const std::string& what, const std::vector<double>& a,
                      const std::vector<double>& b);

/// printf into a string.
std::string format(const char* format, ...) __attribute__((format(printf, 1, 2)));
/// Prints `text` on standard output as one Markdown paragraph, wrapped at 100 columns, followed
/// by a blank line.
void paragraph(const std::string& text);

/// A line on standard error, so that standard output stays the Markdown of docs/benchmarks.md.
void progress(const char* format, ...) __attribute__((format(printf, 1, 2)));

/// Prints why and exits 1: a benchmark that loses or repeats messages must not report a rate.
[[noreturn]] void fail(const std::string& why);

/// A name no earlier run of this process has used ("bench-3-pipeline-in"), for fresh topics
/// and consumer groups.
std::string unique_name(const std::string& what);

} // namespace streams::bench
