// The in-memory benchmark: the local runtime's actors moving messages from a generator
// through map and filter into a counting sink, against a plain loop doing the same work.

#include "benchmarks.hpp"

#include "streams/actors/runtime.hpp"
#include "streams/pipeline.hpp"
#include "streams/sinks/stream_sinks.hpp"
#include "streams/sources/memory_source.hpp"

#include <cstdio>
#include <cstring>
#include <string>

namespace streams::bench {

namespace {

// The work both sides do per message: make a 100-byte payload, enrich it, drop one in ten.
bytes make_payload(std::size_t i) {
  bytes b(100, 'a');
  std::memcpy(b.data(), &i, sizeof i);
  return b;
}
bytes enrich(const bytes& in) {
  bytes out = in;
  out[99] = 'z';
  return out;
}
bool keep(const bytes& b) {
  std::size_t i;
  std::memcpy(&i, b.data(), sizeof i);
  return i % 10 != 0;
}

struct counting_sink : sink {
  std::size_t* count;
  explicit counting_sink(std::size_t* c) : count(c) {}
  void write(std::vector<message>& batch, delivery_report& report) override {
    *count += batch.size();
    for (auto& m : batch)
      report.delivered(m.lineage());
  }
};

void actor_pipeline(std::size_t count) {
  std::size_t delivered = 0;
  pipeline p("bench");
  p.source("source", sources::generate<bytes>(count, make_payload))
      .map("enrich", enrich)
      .filter("keep", keep)
      .sink("sink", sink_spec<bytes>{"count", "",
                                     [&] { return std::make_unique<counting_sink>(&delivered); }});
  auto r = run(p);
  if (!r.ok || delivered != count - (count + 9) / 10)
    fail("actor pipeline delivered " + std::to_string(delivered) + " of " + std::to_string(count)
         + ": " + (r.ok ? "ok" : r.failure->what()));
}

void plain_loop(std::size_t count) {
  std::size_t delivered = 0;
  for (std::size_t i = 0; i < count; ++i) {
    message m(make_payload(i));
    m.set_payload(enrich(m.payload<bytes>()));
    if (keep(m.payload<bytes>()))
      ++delivered;
  }
  if (delivered != count - (count + 9) / 10)
    fail("plain loop delivered " + std::to_string(delivered) + " of " + std::to_string(count));
}

template <class F>
double rate(std::size_t count, F f) {
  auto start = clock::now();
  f();
  return static_cast<double>(count) / seconds(clock::now() - start).count();
}

} // namespace

void memory_benchmark(const options& o) {
  auto count = o.memory_messages;
  // Interleave the two sides so that both see the same machine noise.
  std::vector<double> actors, loop;
  for (int i = 0; i < o.runs; ++i) {
    actors.push_back(rate(count, [&] { actor_pipeline(count); }));
    loop.push_back(rate(count, [&] { plain_loop(count); }));
    progress("memory run %d/%d: actor pipeline %s M msg/s, plain loop %s M msg/s", i + 1, o.runs,
             millions(actors.back()).c_str(), millions(loop.back()).c_str());
  }
  auto a = median(actors), l = median(loop);
  std::printf("## In-memory pipeline through the actor runtime\n\n");
  paragraph(format("Source -> map -> filter (keeps 9 in 10) -> sink, %zu messages of 100 bytes, "
                   "one actor per step, against a plain single-threaded loop doing the same work "
                   "per message (make the payload, enrich it, filter it). Floor (issue 2): 2 M "
                   "msg/s through the actor pipeline.",
                   count));
  std::printf("Command: `build-bench/tools/streams_bench --only memory --runs %d`\n\n", o.runs);
  std::printf("| actor pipeline | plain loop | ratio | floor |\n|---|---|---|---|\n");
  std::printf("| %s M msg/s | %s M msg/s | %.2f | 2 M msg/s: %s |\n\n", millions(a).c_str(),
              millions(l).c_str(), a / l, a >= 2e6 ? "PASS" : "FAIL");
}

} // namespace streams::bench
