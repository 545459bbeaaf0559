#!/usr/bin/env bash
# The one command that installs the dependencies, builds everything and runs the whole test
# suite. Works from any directory. Exits non-zero on the first failure.
#
# Environment:
#   BUILD_DIR             build directory, relative to the repository root (default: build)
#   BUILD_TYPE            CMAKE_BUILD_TYPE (default: RelWithDebInfo)
#   BUILD_JOBS            parallel compile jobs (default: nproc)
#   CTEST_PARALLEL_LEVEL  parallel tests (default: 2; the Kafka tests each start their own
#                         in-process broker on random ports, so they can run side by side)
#   CTEST_ARGS            extra arguments for ctest, e.g. "-R install"
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

build_dir="${BUILD_DIR:-build}"
build_type="${BUILD_TYPE:-RelWithDebInfo}"
jobs="${BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}"
test_jobs="${CTEST_PARALLEL_LEVEL:-2}"

step() { printf '\n== %s\n' "$*"; }

step "setup: dependencies"
tools/setup.sh

step "configure: $build_dir ($build_type)"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="$build_type"

step "build: $jobs jobs"
cmake --build "$build_dir" -j "$jobs"

step "test: $test_jobs in parallel"
# shellcheck disable=SC2086  # CTEST_ARGS is split on purpose
ctest --test-dir "$build_dir" --output-on-failure --no-tests=error -j "$test_jobs" ${CTEST_ARGS:-}

step "all tests passed"
