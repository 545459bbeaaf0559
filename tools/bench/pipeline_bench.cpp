// Benchmarks of the local runtime, each side by side with a baseline in the same run.
// Prints a Markdown table (medians over several runs) for docs/benchmarks.md.

#include "streams/actors/runtime.hpp"
#include "streams/pipeline.hpp"
#include "streams/sinks/stream_sinks.hpp"
#include "streams/sources/memory_source.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

using namespace streams;

namespace {

using seconds = std::chrono::duration<double>;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/// Runs `f` (which processes `count` messages) `runs` times; the median rate in messages/s.
double rate(int runs, std::size_t count, const std::function<void()>& f) {
  std::vector<double> rates;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    f();
    seconds took = std::chrono::steady_clock::now() - start;
    rates.push_back(static_cast<double>(count) / took.count());
  }
  return median(rates);
}

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
      .sink("sink", sink_spec<bytes>{"count", "", [&] { return std::make_unique<counting_sink>(&delivered); }});
  auto r = run(p);
  if (!r.ok || delivered != count - (count + 9) / 10) {
    std::fprintf(stderr, "actor pipeline delivered %zu of %zu: %s\n", delivered, count, r.error.c_str());
    std::exit(1);
  }
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
    std::exit(1);
}

} // namespace

int main(int argc, char** argv) {
  std::size_t count = 2'000'000;
  int runs = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--runs") == 0)
      runs = std::atoi(argv[i + 1]);
    else if (std::strcmp(argv[i], "--messages") == 0)
      count = std::strtoull(argv[i + 1], nullptr, 10);
  }
  // Interleave the two sides so that both see the same machine noise.
  std::vector<double> actors, loop;
  for (int i = 0; i < runs; ++i) {
    actors.push_back(rate(1, count, [&] { actor_pipeline(count); }));
    loop.push_back(rate(1, count, [&] { plain_loop(count); }));
  }
  auto a = median(actors), l = median(loop);
  std::printf("## In-memory pipeline through the actor runtime\n\n");
  std::printf("Source -> map -> filter (keeps 9 in 10) -> sink, %zu messages of 100 bytes, one actor per step,\n"
              "against a plain single-threaded loop doing the same work per message (make the payload, enrich it,\n"
              "filter it). Floor (issue 2): 2 M msg/s through the actor pipeline.\n\n",
              count);
  std::printf("| actor pipeline | plain loop | ratio |\n|---|---|---|\n");
  std::printf("| %.2f M msg/s | %.2f M msg/s | %.2f |\n\n", a / 1e6, l / 1e6, a / l);
  return 0;
}
