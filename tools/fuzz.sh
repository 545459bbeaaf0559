#!/usr/bin/env bash
# The fuzz targets of tests/fuzz, built with clang's libFuzzer in a build directory of their own.
#   tools/fuzz.sh build DIR                  configure and build them in DIR
#   tools/fuzz.sh run DIR TARGET SECONDS     run TARGET (json, config) for SECONDS, seeded from
#                                            tests/fuzz/corpus/TARGET; what it finds that is new
#                                            stays in DIR/corpus/TARGET, a crash in DIR/crash-*
# ctest runs both for 20 s each; tests/README.md says how to run them longer.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command=$1
dir=$2

case "$command" in
  build)
    launcher=()
    command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    cmake -S "$root/tests/fuzz" -B "$dir" -DCMAKE_CXX_COMPILER=clang++-14 "${launcher[@]}" >/dev/null
    cmake --build "$dir" -j2
    ;;
  run)
    target=$3
    seconds=$4
    mkdir -p "$dir/corpus/$target"
    # -rss_limit_mb and -timeout make a blow-up in memory or time a finding, not a stuck test.
    "$dir/${target}_fuzz" -max_total_time="$seconds" -max_len=16384 -rss_limit_mb=1024 \
      -timeout=5 -print_final_stats=1 -artifact_prefix="$dir/" \
      "$dir/corpus/$target" "$root/tests/fuzz/corpus/$target"
    ;;
  *)
    echo "usage: tools/fuzz.sh build DIR | run DIR TARGET SECONDS" >&2
    exit 2
    ;;
esac
