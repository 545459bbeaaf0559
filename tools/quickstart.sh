#!/usr/bin/env bash
# Quick start: installs what is missing, builds the `streams` CLI, starts the embedded Kafka
# broker, produces sample Sentry ingest metrics, runs the simple_map_filter example over them
# and shows what came out. Everything stays on 127.0.0.1 and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build -j"$(nproc)" --target streams
streams=build/apps/streams
work=$(mktemp -d)
cleanup() {
  [[ -n "${broker:-}" ]] && kill "$broker" 2>/dev/null && wait "$broker" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo
echo "== starting the embedded Kafka broker"
"$streams" kafka-mock --topic ingest-metrics:4 --topic transformed-events:4 \
  --bootstrap-file "$work/bootstrap" > /dev/null 2> "$work/broker.log" &
broker=$!
for _ in $(seq 100); do [[ -s "$work/bootstrap" ]] && break; sleep 0.1; done
export STREAMS_BOOTSTRAP_SERVERS
STREAMS_BOOTSTRAP_SERVERS=$(cat "$work/bootstrap")
echo "   bootstrap servers: $STREAMS_BOOTSTRAP_SERVERS"

echo "== producing 10 ingest metrics with kcat (5 counters, 5 distributions)"
now=$(date +%s)
for i in $(seq 1 10); do
  type=$([[ $((i % 2)) == 0 ]] && echo c || echo d)
  echo "{\"org_id\":1,\"project_id\":2,\"name\":\"metric-$i\",\"type\":\"$type\",\"value\":$i,\"timestamp\":$now,\"tags\":{}}"
done | tee "$work/input" | kcat -P -b "$STREAMS_BOOTSTRAP_SERVERS" -t ingest-metrics -k metric
sed 's/^/   in:  /' "$work/input"

echo "== running simple_map_filter: keep counters, mark them transformed (stops after 8 s)"
"$streams" graph simple_map_filter | sed 's/^/   /'
timeout -s INT 8 "$streams" run --config apps/examples/configs/simple_map_filter.yaml \
  --log-level warning simple_map_filter || [[ $? == 124 ]]

echo "== what the pipeline wrote to transformed-events (read with kcat)"
kcat -C -b "$STREAMS_BOOTSTRAP_SERVERS" -t transformed-events -e -q | sed 's/^/   out: /'
