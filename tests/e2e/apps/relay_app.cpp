// A test app for the `streams` CLI, loaded from a shared library: relays the Kafka stream
// "e2e-in" to the stream "e2e-out" (the deployment config binds both), appending
// "|<E2E_INSTANCE>" to every value so that a test can tell which process relayed it.
//
// E2E_RATE (messages per second, 0 or unset: unthrottled) paces the relay step, so that a
// test can kill the process at a known point and bound what a crash repeats. E2E_PROGRESS
// names a file where the step keeps the number of messages it has relayed (rewritten every
// 50 messages), so that the test knows how far the process got.
//
// E2E_STALL_UNTIL names a file: a value starting with "stall" blocks the relay step until that
// file exists (a user function stuck in a call, for the health checks' tests).
//
// E2E_COUNT_WINDOW=N makes it stateful: the relayed messages are counted per Kafka key in
// windows of N messages (step "counts"), and "KEY COUNT FIRST LAST" goes out instead, FIRST and
// LAST being the least and greatest number in the window's values ("m-17" is 17).
// E2E_TIME_WINDOW=MS does the same in tumbling processing-time windows of MS milliseconds.
//
// E2E_BRANCHES=1 broadcasts the relayed messages to two branches: a copy of each to "e2e-out"
// (sink "output"), and each through a router by the parity of its id ("m-17": odd) to
// "e2e-even" (sink "even_output") or "e2e-odd" (sink "odd_output").
//
// E2E_SIDE=1 adds a second chain beside it, joined to it by nothing: source "side_input"
// (stream "e2e-side-in") -> "side_relay" (the same relay) -> sink "side_output" ("e2e-side-out"),
// for configs that put the two chains in segments of their own.

#include "streams/app.hpp"
#include "streams/sources/stream_source.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <thread>
#include <unistd.h>

namespace {

using clock_type = std::chrono::steady_clock;

struct relay_state {
  std::string instance;
  double rate = 0;
  int progress_fd = -1;
  std::uint64_t count = 0;
  clock_type::time_point start;

  relay_state() {
    if (const char* v = std::getenv("E2E_INSTANCE"))
      instance = v;
    if (const char* v = std::getenv("E2E_RATE"))
      rate = std::atof(v);
    if (const char* v = std::getenv("E2E_PROGRESS"))
      progress_fd = ::open(v, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  }

  void write_progress() {
    // Fixed width, written in place: a reader never sees a shorter, older number's tail.
    char text[32];
    int n = std::snprintf(text, sizeof(text), "%20llu\n", static_cast<unsigned long long>(count));
    if (::pwrite(progress_fd, text, static_cast<std::size_t>(n), 0) < 0)
      std::perror("relay app: writing progress");
  }
};

// One relay step per process, called by one actor at a time.
relay_state& state() {
  static relay_state s;
  return s;
}

streams::bytes relay(const streams::bytes& value) {
  auto& s = state();
  if (s.count == 0)
    s.start = clock_type::now();
  ++s.count;
  if (s.rate > 0)
    std::this_thread::sleep_until(
        s.start
        + std::chrono::duration_cast<clock_type::duration>(
            std::chrono::duration<double>(static_cast<double>(s.count) / s.rate)));
  if (s.progress_fd >= 0 && s.count % 50 == 0)
    s.write_progress();
  if (const char* release = std::getenv("E2E_STALL_UNTIL"); release && value.rfind("stall", 0) == 0)
    while (::access(release, F_OK) != 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return value + "|" + s.instance;
}

/// Counts a window's messages and the range of their numbers, which tells windows apart.
class id_range {
public:
  void add(const streams::bytes& value) {
    auto id = std::atoll(value.c_str() + value.find('-') + 1);
    ++n_;
    lo_ = std::min(lo_, id);
    hi_ = std::max(hi_, id);
  }
  void merge(const id_range& o) {
    n_ += o.n_;
    lo_ = std::min(lo_, o.lo_);
    hi_ = std::max(hi_, o.hi_);
  }
  std::string result() const {
    return std::to_string(n_) + " " + std::to_string(lo_) + " " + std::to_string(hi_);
  }
  void save(std::string& out) const {
    streams::codec::encode(out, n_);
    streams::codec::encode(out, lo_);
    streams::codec::encode(out, hi_);
  }
  static id_range load(std::string_view in) {
    id_range r;
    streams::codec::decode(in, r.n_);
    streams::codec::decode(in, r.lo_);
    streams::codec::decode(in, r.hi_);
    return r;
  }

private:
  std::uint64_t n_ = 0;
  long long lo_ = std::numeric_limits<long long>::max();
  long long hi_ = std::numeric_limits<long long>::min();
};

void build(streams::pipeline& p) {
  if (const char* side = std::getenv("E2E_SIDE"); side && std::string(side) == "1")
    p.source("side_input", streams::sources::stream("e2e-side-in"))
        .map("side_relay", [](const streams::bytes& b) { return relay(b); })
        .sink("side_output", streams::sinks::stream("e2e-side-out"));
  auto relayed = p.source("input", streams::sources::stream("e2e-in"))
                     .map("relay", [](const streams::bytes& b) { return relay(b); });
  if (const char* branches = std::getenv("E2E_BRANCHES");
      branches && std::string(branches) == "1") {
    auto fanout = relayed.broadcast("fanout", {"copy", "routed"});
    fanout.branch("copy").sink("output", streams::sinks::stream("e2e-out"));
    auto parity =
        fanout.branch("routed").route("parity", {"even", "odd"}, [](const streams::bytes& b) {
          auto dash = b.find('-');
          auto id = dash == std::string::npos ? 0 : std::atol(b.c_str() + dash + 1);
          return id % 2 == 0 ? "even" : "odd";
        });
    parity.branch("even").sink("even_output", streams::sinks::stream("e2e-even"));
    parity.branch("odd").sink("odd_output", streams::sinks::stream("e2e-odd"));
    return;
  }
  const char* count = std::getenv("E2E_COUNT_WINDOW");
  const char* time = std::getenv("E2E_TIME_WINDOW");
  if (!count && !time) {
    relayed.sink("output", streams::sinks::stream("e2e-out"));
    return;
  }
  auto window = count ? streams::windows::count(std::stoul(count))
                      : streams::windows::tumbling(std::chrono::milliseconds(std::stol(time)));
  relayed
      .reduce<id_range>(
          "counts", window,
          [](const streams::bytes&, const streams::message& m) { return m.key().value_or(""); })
      .map("format", [](const streams::windowed<std::string>& w) { return w.key + " " + w.value; })
      .sink("output", streams::sinks::stream("e2e-out"));
}

} // namespace

STREAMS_APP(build)
