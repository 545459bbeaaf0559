#!/usr/bin/env bash
# Builds the benchmarks in Release and writes their results to docs/benchmarks.md.
# Usage: tools/run_benchmarks.sh [runs]   (each figure is the median of `runs` runs, default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
"$(pwd)/tools/setup.sh"
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DSTREAMS_BUILD_TESTS=OFF > /dev/null
cmake --build build-bench -j"$(nproc)" --target streams_bench > /dev/null

out=docs/benchmarks.md
{
  echo "# Benchmarks"
  echo
  echo "Written by \`tools/run_benchmarks.sh $runs\` on $(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD),"
  echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB. Each figure is the median of $runs runs; every benchmark"
  echo "runs side by side with its baseline in the same process and run, so the ratio is the figure to trust on"
  echo "a noisy machine. See tools/bench/ for what each side does."
  echo
  ./build-bench/tools/streams_bench --runs "$runs"
} > "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out"
