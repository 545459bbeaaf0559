#pragma once

// The benchmarks of `streams_bench`. Each runs its sides interleaved, `options::runs` times,
// checks that every side delivered exactly what it should, and prints a Markdown section
// for docs/benchmarks.md on standard output. A side that loses or repeats messages fails
// the harness (exit 1) instead of reporting a rate.

#include "bench_util.hpp"

namespace streams::bench {

/// Source -> map -> filter -> sink in memory, against a plain loop (issue 2).
void memory_benchmark(const options& o);
/// Kafka -> map -> Kafka through the embedded broker, against plain librdkafka loops in C++
/// and Python; then the pipeline's latency at half its maximum rate (issue 3).
void kafka_benchmark(const options& o);
/// `streams run ... simple_map_filter` end to end, against the same logic in Python (issue 4).
void cli_benchmark(const options& o);
/// Keyed event-time windows (tumbling, sliding by 1 s and 10 s) through the reduce step, with
/// the state in memory and in LMDB, against a plain hash-map loop; memory per key (issue 8).
void window_benchmark(const options& o);
/// The window benchmark's tumbling cases in LMDB, alone and replicated to a Kafka changelog
/// on the embedded broker (issue 8).
void changelog_benchmark(const options& o);
/// `--window-child`: one case of the window benchmark in this fresh process, printing its
/// memory use on standard output.
void window_child(const options& o);
/// A pipeline split over two node processes (the harness itself, `--cluster-node`), in memory
/// against one process and a plain CAF remote-actor loop, and Kafka -> map -> Kafka against
/// one process (issue 11).
void cluster_benchmark(const options& o);
/// `--cluster-node NAME --listen HOST:PORT`: a node of the cluster benchmark until SIGTERM.
[[noreturn]] void cluster_node(const options& o);
/// `--caf-receiver HOST:PORT`: the other end of the plain CAF loop until SIGTERM.
[[noreturn]] void caf_receiver(const options& o);

} // namespace streams::bench
