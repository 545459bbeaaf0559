#!/usr/bin/env bash
# Builds the benchmarks in Release and writes their results to docs/benchmarks.md.
# Usage: tools/run_benchmarks.sh [runs]   (each figure is the median of `runs` runs, default 7)
# Takes tens of minutes with 7 runs (the Kafka and CLI benchmarks set up embedded brokers and
# wait for consumer groups to form); `streams_bench --only ...` runs one (memory,
# kafka, cli, windows, cluster: the last starts two node processes of its own on 127.0.0.1).
# Run it on a quiet machine: the report records the load.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
"$(pwd)/tools/setup.sh"
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DSTREAMS_BUILD_TESTS=OFF > /dev/null
cmake --build build-bench -j"$(nproc)" --target streams_bench streams > /dev/null

load() { cut -d' ' -f1-3 /proc/loadavg; }
out=docs/benchmarks.md
before=$(load)
./build-bench/tools/streams_bench --runs "$runs" > "$out.body"
after=$(load)
{
  echo "# Benchmarks"
  echo
  echo "Written by \`tools/run_benchmarks.sh $runs\` on $(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD),"
  echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load average (1, 5, 15 min) $before before and"
  echo "$after after. Each figure is the median of $runs runs; every benchmark runs side by side with its"
  echo "baselines, interleaved in the same run, so the ratios are the figures to trust on a noisy machine"
  echo "(both the ratio of the medians and the median of the per-run ratios are given; floors are judged"
  echo "on the first). See tools/bench/README.md for what each side does."
  echo
  cat "$out.body"
} > "$out.tmp"
rm "$out.body"
mv "$out.tmp" "$out"
echo "wrote $out"
