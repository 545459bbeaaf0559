#!/usr/bin/env bash
# Mutation check of the promises the tests guard (tests/README.md): each mutant is a small,
# named bug put into a scratch copy of the tree; the copy is built and the test binary that
# should notice is run against it. Every mutant must be CAUGHT (the tests fail). A mutant that
# SURVIVES means a promise is unguarded; one that does not APPLY means the code moved and the
# mutant must be updated. Exits non-zero unless every mutant is caught.
#
# Usage: tools/mutate.sh [NAME...]     (default: every mutant; NAME may be a shell pattern)
# Environment:
#   MUTATE_DIR   scratch directory, kept between runs so rebuilds are incremental
#                (default: /tmp/streams-mutants-$USER)
#   BUILD_JOBS   parallel compile jobs (default: 2)
#
# The first run builds the test binaries once (several minutes); then each mutant costs one
# or two recompiled files, a link and one test run. Not part of CI.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scratch="${MUTATE_DIR:-/tmp/streams-mutants-${USER:-$(id -un)}}"
jobs="${BUILD_JOBS:-2}"
src="$scratch/src"
build="$scratch/build"

# One mutant per line: mutant NAME FILE TEST-TARGET TEST-ARGUMENTS PERL-SUBSTITUTION (applied
# once to FILE; it must change it).
names=() files=() targets=() arguments=() substitutions=()
mutant() { names+=("$1"); files+=("$2"); targets+=("$3"); arguments+=("$4"); substitutions+=("$5"); }

mutant sink-full-weight actors/src/sink_actor.cpp streams_actors_tests \
  '-ts=commits behind delivery' \
  's/  s_\.acks\.add\(l\);/  { lineage f; for (auto o : l.origins()) { o.weight = origin::full_weight; f.absorb(lineage(o)); } s_.acks.add(f); }/'
mutant split-full-weight libstreams/src/message.cpp streams_actors_tests \
  '-ts=commits behind delivery' \
  's/o->offset, share\}/o->offset, o->weight}/'
mutant split-full-weight-core libstreams/src/message.cpp streams_core_tests \
  '-ts=lineage,steps.flat_map_step,steps.router_step' \
  's/o->offset, share\}/o->offset, o->weight}/'
mutant tracker-any-weight libstreams/src/commit_tracker.cpp streams_actors_tests \
  '-ts=commits behind delivery' \
  's/q\.front\(\)\.returned >= origin::full_weight/q.front().returned > 0/'
mutant tracker-any-weight-core libstreams/src/commit_tracker.cpp streams_core_tests \
  '-ts=commit_tracker' \
  's/q\.front\(\)\.returned >= origin::full_weight/q.front().returned > 0/'
mutant tracker-position-skips libstreams/src/commit_tracker.cpp streams_core_tests \
  '-ts=commit_tracker' \
  's/p\.position = q\.front\(\)\.offset \+ 1;/p.position = q.front().offset + 2;/'
mutant filter-inverted libstreams/src/steps/filter_step.cpp streams_core_tests \
  '-ts=steps.filter_step' \
  's/if \(p_\(m\)\)/if (!p_(m))/'
mutant filter-drop-not-acked actors/src/transform_actor.cpp streams_actors_tests \
  '-tc=a map-filter pipeline delivers exactly what passes the filter*' \
  's/(void port_emitter::drop\(message&& m\) \{\n)  s_\.acks\.add\(m\.lineage\(\)\);/$1  (void)m;/'
mutant router-first-branch libstreams/src/steps/router_step.cpp streams_core_tests \
  '-ts=steps.router_step' \
  's/out\.emit\(static_cast<std::size_t>\(it - branches_\.begin\(\)\), std::move\(m\)\);/out.emit(0, std::move(m));/'
mutant sink-backlog-ignored actors/src/sink_actor.cpp streams_actors_tests \
  '-tc=an asynchronous sink holds at most sink_backlog*' \
  's/if \(snk\.pending\(\) <= s\.setup->options\.sink_backlog\)/if (true)/'
mutant restart-window-ignored actors/src/transform_actor.cpp streams_actors_tests \
  '-tc=restarts count only within restart_window' \
  's/now - s\.restarts\.front\(\) > o\.restart_window/now - s.restarts.front() > 1000 * o.restart_window/'
mutant drain-drops-inbox actors/src/transform_actor.cpp streams_cli_tests \
  '-tc=*drain*,SIGTERM with thousands*' \
  's/if \(s\.failed \|\| s\.upstreams_ended < s\.w\.upstream_count \|\| !s\.inbox\.empty\(\)\)/if (s.failed || s.upstreams_ended < s.w.upstream_count)/'
mutant second-signal-ignored actors/src/supervisor.cpp streams_cli_tests \
  '-tc=a second signal during the drain*' \
  's/sa\.sa_flags = SA_RESETHAND;/sa.sa_flags = 0;/'
mutant devnull-uncapped libstreams/src/devnull_sink.cpp streams_core_tests \
  '-ts=devnull_sink' \
  's/sleep = std::min\(sleep, options_\.max_sleep\);/(void)0;/'
mutant outbox-spreads-partitions actors/src/outbox.cpp streams_e2e_tests \
  '-ts=e2e.parallel_order' \
  's/std::max<std::int32_t>\(0, origins\.front\(\)\.partition\)/std::max<std::int64_t>(0, origins.front().offset)/'
mutant sink-backlog-ignored-kafka actors/src/sink_actor.cpp streams_e2e_tests \
  '-ts=e2e.kafka_backpressure' \
  's/if \(snk\.pending\(\) <= s\.setup->options\.sink_backlog\)/if (true)/'
mutant sink-full-weight-e2e actors/src/sink_actor.cpp streams_e2e_tests \
  '-ts=e2e.branch_crash' \
  's/  s_\.acks\.add\(l\);/  { lineage f; for (auto o : l.origins()) { o.weight = origin::full_weight; f.absorb(lineage(o)); } s_.acks.add(f); }/'
mutant dead-letter-acked-early libstreams/src/kafka/kafka_dead_letter_sink.cpp streams_e2e_tests \
  "-tc=an invalid message's offset is committed only once*" \
  's/    out\.write\(records, report\);/    for (auto\& r : records) report.delivered(r.lineage()); out.write(records, report);/'

wanted=("$@")
selected() {
  [[ ${#wanted[@]} -eq 0 ]] && return 0
  local w
  for w in "${wanted[@]}"; do [[ $1 == $w ]] && return 0; done # shell patterns
  return 1
}

mkdir -p "$src" "$build"
log="$scratch/log"
mkdir -p "$log"

sync_tree() { # the work tree's files (uncommitted changes included); only changed ones are copied,
  # so they alone get a new mtime and are rebuilt
  local f
  while IFS= read -r f; do
    [[ -f $root/$f ]] || continue
    if ! cmp -s "$root/$f" "$src/$f"; then
      mkdir -p "$(dirname "$src/$f")"
      cp "$root/$f" "$src/$f"
    fi
  done < <(git -C "$root" ls-files --cached --others --exclude-standard)
}

configure() {
  [[ -f $build/CMakeCache.txt ]] && return 0
  cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >"$log/configure.txt" 2>&1
}

build_target() {
  CCACHE_BASEDIR="$scratch" cmake --build "$build" -j"$jobs" --target "$1" >"$log/build-$2.txt" 2>&1
}

run_tests() { # target, arguments; the exit status of the test binary
  local bin
  bin=$(find "$build/tests" -maxdepth 2 -type f -name "$1" -perm -u+x | head -1)
  (cd "$build" && timeout 600 "$bin" "$2" >"$log/test-$3.txt" 2>&1)
}

sync_tree
configure || { echo "configure failed: $log/configure.txt"; exit 2; }

# Baseline: the unmutated copy must build and pass what each mutant is run against.
declare -A baseline_done
for i in "${!names[@]}"; do
  name=${names[$i]} target=${targets[$i]} args=${arguments[$i]}
  selected "$name" || continue
  key="$target $args"
  [[ -n ${baseline_done[$key]:-} ]] && continue
  baseline_done[$key]=1
  if ! build_target "$target" baseline; then
    echo "baseline build of $target failed: $log/build-baseline.txt"; exit 2
  fi
  if ! run_tests "$target" "$args" baseline; then
    echo "baseline FAILS: $target $args (see $log/test-baseline.txt): fix the tests first"; exit 2
  fi
  if ! grep -Eq 'test cases: +[1-9]' "$log/test-baseline.txt"; then
    echo "no test matches: $target $args"; exit 2
  fi
done

printf '%-26s %-24s %s\n' mutant tests result
status=0
for i in "${!names[@]}"; do
  name=${names[$i]} file=${files[$i]} target=${targets[$i]} args=${arguments[$i]}
  subst=${substitutions[$i]}
  selected "$name" || continue
  cp "$src/$file" "$scratch/original"
  perl -0pi -e "$subst" "$src/$file"
  if cmp -s "$src/$file" "$scratch/original"; then
    result="DOES NOT APPLY"; status=1
  elif ! build_target "$target" "$name"; then
    result="DOES NOT BUILD (see $log/build-$name.txt)"; status=1
  elif run_tests "$target" "$args" "$name"; then
    result="SURVIVED"; status=1
  else
    result="caught"
  fi
  cp "$scratch/original" "$src/$file" # a new mtime: rebuilt as the original next time
  printf '%-26s %-24s %s\n' "$name" "$target" "$result"
done
exit $status
