// Kafka -> map -> Kafka through the embedded broker (issue 3), three sides in every run:
//  - the pipeline: kafka source -> map (upper-case the payload) -> kafka sink on the actor runtime;
//  - a plain librdkafka loop in C++: batch consume, produce each record transformed, poll;
//  - the same loop in Python with confluent-kafka (kafka_loop.py).
// Each side reads the same pre-produced records (100-byte values, keyed, 4 partitions) from a
// fresh topic into a fresh topic, timed from the first record consumed to the last delivered;
// afterwards the harness reads the output back and checks that every record arrived exactly once,
// transformed. Then the pipeline's end-to-end latency at half its maximum rate.

#include "kafka_bench.hpp"

#include "benchmarks.hpp"
#include "child_process.hpp"

#include "streams/actors/runtime.hpp"
#include "streams/kafka/embedded_broker.hpp"
#include "streams/kafka/kafka_sink.hpp"
#include "streams/kafka/kafka_source.hpp"
#include "streams/pipeline.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <thread>

namespace streams::bench {

namespace {
constexpr std::size_t value_size = 100;
} // namespace

// -- records -------------------------------------------------------------------------

void make_record(std::size_t i, std::string& key, std::string& value) {
  key = std::to_string(i);
  char head[16];
  std::snprintf(head, sizeof head, "%010zu-", i);
  value.assign(head);
  for (std::size_t j = value.size(); j < value_size; ++j)
    value.push_back(static_cast<char>('a' + (i + j) % 26));
}

namespace {

// Latency records: "P%010zu-%019lld-" (index, steady-clock nanoseconds when produced) and
// letters; "W" instead of "P" for the warm-up records sent until the pipeline is flowing.
void make_timed_record(char kind, std::size_t i, std::string& key, std::string& value) {
  key = std::to_string(i);
  char head[48];
  std::snprintf(head, sizeof head, "%c%010zu-%019lld-", kind, i,
                static_cast<long long>(clock::now().time_since_epoch().count()));
  value.assign(head);
  for (std::size_t j = value.size(); j < value_size; ++j)
    value.push_back(static_cast<char>('a' + (i + j) % 26));
}

// The map of every side: upper-case the payload (a copy).
void upper_into(const char* in, std::size_t n, std::string& out) {
  out.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    char c = in[i];
    out[i] = c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c;
  }
}

/// The plain loop's transform.
bool upper(const rd_kafka_message_t& m, std::string& out) {
  upper_into(static_cast<const char*>(m.payload), m.len, out);
  return true;
}

std::size_t parse_index(const char* text) {
  std::size_t i = 0;
  for (int d = 0; d < 10; ++d)
    i = i * 10 + static_cast<std::size_t>(text[d] - '0');
  return i;
}

} // namespace

void check_output(const std::string& bootstrap, const std::string& topic, std::size_t count,
                  const char* side) {
  std::vector<bool> seen(count);
  std::size_t bad = 0, repeated = 0;
  auto n = read_all(bootstrap, topic, partitions, [&](const rd_kafka_message_t& m, auto) {
    auto* v = static_cast<const char*>(m.payload);
    if (m.len != value_size || !m.key) {
      ++bad;
      return;
    }
    auto i = parse_index(v);
    std::string key(static_cast<const char*>(m.key), m.key_len);
    bool upper = std::none_of(v, v + m.len, [](char c) { return c >= 'a' && c <= 'z'; });
    if (i >= count || key != std::to_string(i) || !upper) {
      ++bad;
      return;
    }
    if (seen[i])
      ++repeated;
    seen[i] = true;
  });
  auto missing = static_cast<std::size_t>(std::count(seen.begin(), seen.end(), false));
  if (n != count || bad || repeated || missing)
    fail(std::string(side) + ": the output topic holds " + std::to_string(n) + " records for "
         + std::to_string(count) + " inputs: " + std::to_string(missing) + " missing, "
         + std::to_string(repeated) + " repeated, " + std::to_string(bad) + " malformed");
}

// -- the pipeline side ---------------------------------------------------------------

namespace {

/// A kafka_source that tells the probe when its first records arrive, and ends after the
/// probe's target.
class timed_source : public source {
public:
  timed_source(kafka::source_config c, probe& p) : inner_(std::move(c)), probe_(p) {}
  bool set_waker(waker wake) override { return inner_.set_waker(std::move(wake)); }
  void start(source_context& ctx) override { inner_.start(ctx); }
  std::vector<message> poll(std::size_t max) override {
    auto batch = inner_.poll(max);
    if (!batch.empty() && read_ == 0)
      probe_.note_first();
    read_ += batch.size();
    return batch;
  }
  bool exhausted() const override { return probe_.target && read_ >= probe_.target; }
  void pause() override { inner_.pause(); }
  void resume() override { inner_.resume(); }
  void commit(const std::vector<partition_offset>& positions) override { inner_.commit(positions); }
  void stop() override { inner_.stop(); }

private:
  kafka_source inner_;
  probe& probe_;
  std::size_t read_ = 0;
};

/// A kafka_sink that counts delivery reports for the probe.
class timed_sink : public sink {
public:
  timed_sink(kafka::sink_config c, probe& p) : inner_(std::move(c)), probe_(p) {}
  void write(std::vector<message>& batch, delivery_report& r) override {
    counting c(r, probe_);
    inner_.write(batch, c);
  }
  void poll(delivery_report& r) override {
    counting c(r, probe_);
    inner_.poll(c);
  }
  std::size_t pending() const override { return inner_.pending(); }
  bool set_waker(waker wake) override { return inner_.set_waker(std::move(wake)); }
  void flush(delivery_report& r) override {
    counting c(r, probe_);
    inner_.flush(c);
  }

private:
  struct counting : delivery_report {
    counting(delivery_report& r, probe& p) : inner(r), pr(p) {}
    void delivered(const lineage& l) override {
      inner.delivered(l);
      pr.note_delivered();
    }
    void failed(const lineage& l, const std::string& reason) override { inner.failed(l, reason); }
    delivery_report& inner;
    probe& pr;
  };
  kafka_sink inner_;
  probe& probe_;
};

} // namespace

std::unique_ptr<pipeline> make_pipeline(const std::string& bootstrap, const std::string& in,
                                        const std::string& out, probe& p,
                                        const properties& source_props) {
  kafka::source_config source;
  for (auto& [name, value] : source_props)
    source.override_params[name] = value;
  source.bootstrap_servers = bootstrap;
  source.topic = in;
  source.consumer_group = unique_name("pipeline-group");
  kafka::sink_config sink;
  sink.bootstrap_servers = bootstrap;
  sink.topic = out;
  auto pl = std::make_unique<pipeline>("kafka_bench");
  pl->source("input",
             source_spec<bytes>{in, "Kafka topic " + in,
                                [source, &p] { return std::make_unique<timed_source>(source, p); },
                                "kafka"})
      .map("upper",
           [](const bytes& b) {
             bytes out;
             upper_into(b.data(), b.size(), out);
             return out;
           })
      .sink("output", sink_spec<bytes>{out, "Kafka topic " + out,
                                       [sink, &p] { return std::make_unique<timed_sink>(sink, p); },
                                       "kafka"});
  return pl;
}

namespace {

/// Runs the pipeline until `count` records are delivered; messages/s from the first consumed.
double pipeline_side(const std::string& bootstrap, const std::string& in, const std::string& out,
                     std::size_t count) {
  probe p;
  p.target = count;
  auto pl = make_pipeline(bootstrap, in, out, p);
  runtime r(pl->graph());
  r.start();
  bool done = p.wait(std::chrono::seconds(120));
  r.stop();
  auto result = r.wait();
  if (!result.ok)
    fail(std::string("pipeline failed: ") + result.failure->what());
  if (!done)
    fail("pipeline: only " + std::to_string(p.delivered) + " of " + std::to_string(count)
         + " delivered within 120 s");
  return static_cast<double>(count) / seconds(*p.last - *p.first).count();
}

// -- the plain C++ loop side -----------------------------------------------------------

// -- the Python side -----------------------------------------------------------------

double python_side(const options& o, const std::string& bootstrap, const std::string& in,
                   const std::string& out, std::size_t count) {
  child_process py({o.python, o.source_dir + "/tools/bench/kafka_loop.py", bootstrap, in, out,
                    unique_name("python-group"), std::to_string(count)});
  auto status = py.wait(std::chrono::seconds(300));
  if (!status || *status != 0)
    fail("Python loop: "
         + (status ? py.describe(*status) : std::string("still running after 300 s")));
  auto text = py.out();
  double secs = 0;
  std::size_t consumed = 0, remaining = 1;
  if (std::sscanf(text.c_str(), "{\"consumed\": %zu, \"seconds\": %lf, \"remaining\": %zu}",
                  &consumed, &secs, &remaining)
          != 3
      || consumed != count || remaining != 0 || secs <= 0)
    fail("Python loop: unexpected report: " + text);
  return static_cast<double>(count) / secs;
}

// -- latency -----------------------------------------------------------------------------

struct latency_result {
  double p50 = 0, p99 = 0, max = 0; // milliseconds
  std::size_t records = 0;
};

/// Produces timed records to `in` at `rate` for `duration` seconds while `run_side` (started
/// before, stopped after) moves them to `out`, and measures, for each, the time from its
/// produce call to its arrival at a reader of `out`.
template <class Start, class Stop>
latency_result measure_latency(const std::string& bootstrap, const std::string& in,
                               const std::string& out, double rate, double duration, Start start,
                               Stop stop_side, const char* side) {
  auto total = static_cast<std::size_t>(rate * duration);
  std::vector<double> latencies; // ms; written by the reader thread only
  latencies.reserve(total);
  std::vector<bool> seen(total);
  std::size_t repeated = 0, warm = 0;
  topic_reader reader(bootstrap, out, partitions,
                      [&](const rd_kafka_message_t& m, clock::time_point t) {
                        auto* v = static_cast<const char*>(m.payload);
                        if (m.len < 32 || (v[0] != 'P' && v[0] != 'W'))
                          fail(std::string(side) + ": malformed latency record");
                        if (v[0] == 'W') {
                          ++warm;
                          return;
                        }
                        auto i = parse_index(v + 1);
                        long long produced = std::atoll(v + 12);
                        if (i >= total || seen[i]) {
                          ++repeated;
                          return;
                        }
                        seen[i] = true;
                        latencies.push_back(std::chrono::duration<double, std::milli>(
                                                t - clock::time_point(clock::duration(produced)))
                                                .count());
                      });

  auto producer =
      make_client(RD_KAFKA_PRODUCER, {{"bootstrap.servers", bootstrap}, {"linger.ms", "1"}});
  std::string key, value;
  auto produce = [&](char kind, std::size_t i) {
    make_timed_record(kind, i, key, value);
    while (auto err = rd_kafka_producev(producer.get(), RD_KAFKA_V_TOPIC(in.c_str()),
                                        RD_KAFKA_V_KEY(key.data(), key.size()),
                                        RD_KAFKA_V_VALUE(value.data(), value.size()),
                                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) {
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
        fail(std::string("latency producer: ") + rd_kafka_err2str(err));
      rd_kafka_poll(producer.get(), 1);
    }
  };

  start();
  // Warm up: one record every 100 ms until the side has joined its group and moves records.
  std::size_t warmups = 0;
  auto give_up = clock::now() + std::chrono::seconds(60);
  while (reader.count() == 0) {
    if (clock::now() > give_up)
      fail(std::string(side) + ": nothing arrived within 60 s");
    produce('W', warmups++);
    rd_kafka_poll(producer.get(), 100);
  }
  reader.wait_for(warmups, std::chrono::seconds(10));

  // The paced load: at every moment, as many records as the rate asks for by then.
  auto begin = clock::now();
  std::size_t sent = 0;
  while (sent < total) {
    auto due =
        std::min(total, static_cast<std::size_t>(seconds(clock::now() - begin).count() * rate));
    while (sent < due)
      produce('P', sent++);
    rd_kafka_poll(producer.get(), 0);
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  rd_kafka_flush(producer.get(), 30000);
  bool all = reader.wait_for(warmups + total, std::chrono::seconds(60));
  reader.stop();
  stop_side();
  if (!all || latencies.size() != total || repeated)
    fail(std::string(side) + ": latency run delivered " + std::to_string(latencies.size()) + " of "
         + std::to_string(total) + " records (" + std::to_string(repeated) + " repeated)");
  latency_result r;
  r.records = total;
  r.p50 = percentile(latencies, 50);
  r.p99 = percentile(latencies, 99);
  r.max = latencies.back();
  return r;
}

// The embedded broker answers a fetch that finds no data only after fetch.wait.max.ms (500 ms
// by default), even when records arrive meanwhile (a real broker answers at once), so a consumer
// that has caught up would wait up to that long: the latency runs shorten it on every consumer.
const properties latency_consumer{{"fetch.wait.max.ms", "5"}};

latency_result pipeline_latency(const std::string& bootstrap, double rate, double duration) {
  auto in = unique_name("latency-in"), out = unique_name("latency-out");
  probe p; // not waited for here
  auto pl = make_pipeline(bootstrap, in, out, p, latency_consumer);
  std::unique_ptr<runtime> r;
  std::optional<run_result> result;
  auto res = measure_latency(
      bootstrap, in, out, rate, duration,
      [&] {
        r = std::make_unique<runtime>(pl->graph());
        r->start();
      },
      [&] {
        r->stop();
        result = r->wait();
      },
      "pipeline");
  if (!result->ok)
    fail(std::string("pipeline failed: ") + result->failure->what());
  return res;
}

latency_result loop_latency(const std::string& bootstrap, double rate, double duration) {
  auto in = unique_name("latency-in"), out = unique_name("latency-out");
  std::atomic<bool> stop{false};
  std::thread loop;
  return measure_latency(
      bootstrap, in, out, rate, duration,
      [&] {
        loop = std::thread(
            [&] { plain_loop(bootstrap, in, out, SIZE_MAX, upper, &stop, latency_consumer); });
      },
      [&] {
        stop = true;
        loop.join();
      },
      "plain loop");
}

} // namespace

void kafka_benchmark(const options& o) {
  const std::size_t count = o.kafka_per_partition * partitions;
  enum side { pipeline_s, loop_s, python_s };
  const char* names[] = {"pipeline", "plain C++ loop", "Python loop"};
  std::vector<double> rates[3];
  for (int run = 0; run < o.runs; ++run) {
    // One broker per run, shared by its three sides, each on topics of its own.
    kafka::embedded_broker broker(1);
    auto bootstrap = broker.bootstrap_servers();
    for (int k = 0; k < 3; ++k) {
      auto s = static_cast<side>((run + k) % 3); // rotate which side goes first
      if (!o.has_side(s == pipeline_s ? "pipeline" : s == loop_s ? "loop" : "python"))
        continue;
      auto in = unique_name("in"), out = unique_name("out");
      broker.create_topic(in, partitions);
      broker.create_topic(out, partitions);
      produce_all(bootstrap, in, count, make_record);
      double r = 0;
      switch (s) {
        case pipeline_s: r = pipeline_side(bootstrap, in, out, count); break;
        case loop_s: r = plain_loop(bootstrap, in, out, count, upper); break;
        case python_s: r = python_side(o, bootstrap, in, out, count); break;
      }
      check_output(bootstrap, out, count, names[s]);
      rates[s].push_back(r);
      progress("kafka run %d/%d: %s %s M msg/s (%zu records, checked)", run + 1, o.runs, names[s],
               millions(r).c_str(), count);
    }
  }
  double m[3];
  for (int s = 0; s < 3; ++s)
    m[s] = median(rates[s]);

  // Latency at half the pipeline's maximum rate, with the plain loop at the same rate beside it.
  double rate = m[pipeline_s] / 2;
  int latency_runs = o.latency_seconds > 0 && m[pipeline_s] > 0 ? std::max(3, o.runs / 2 + 1) : 0;
  std::vector<double> p50[2], p99[2], maxes[2];
  std::size_t records = 0;
  for (int run = 0; run < latency_runs; ++run) {
    kafka::embedded_broker broker(1);
    for (int k = 0; k < 2; ++k) {
      int s = (run + k) % 2;
      if (!o.has_side(s == 0 ? "pipeline" : "loop"))
        continue;
      auto res = s == 0 ? pipeline_latency(broker.bootstrap_servers(), rate, o.latency_seconds)
                        : loop_latency(broker.bootstrap_servers(), rate, o.latency_seconds);
      p50[s].push_back(res.p50);
      p99[s].push_back(res.p99);
      maxes[s].push_back(res.max);
      records = res.records;
      progress("kafka latency run %d/%d: %s p50 %.1f ms, p99 %.1f ms, max %.1f ms", run + 1,
               latency_runs, s == 0 ? "pipeline" : "plain loop", res.p50, res.p99, res.max);
    }
  }

  std::printf("## Kafka -> map -> Kafka through the embedded broker (issue 3)\n\n");
  paragraph(format(
      "%zu records (100-byte values, keyed, 4 partitions) pre-produced into a fresh topic for each "
      "side of each run, moved to a fresh 4-partition topic with the payload upper-cased: by the "
      "pipeline (Kafka source -> map -> Kafka sink on the actor runtime, default settings), by a "
      "plain librdkafka consume-then-produce loop in C++ (batches of 512, produce with the key, "
      "poll), and by the same loop in Python with confluent-kafka (tools/bench/kafka_loop.py). "
      "Every side uses the idempotent producer, as the pipeline's sink does by default. Rate: "
      "records / time from the first record consumed to the last delivery report, so the embedded "
      "broker's 3 s group-join delay is left out. After each side the harness reads the output "
      "topic back: every record must be there exactly once, with its key, transformed. One "
      "embedded broker per run, in the harness's process; the sides take turns going first.",
      count));
  std::printf("Command: `build-bench/tools/streams_bench --only kafka --runs %d`\n\n", o.runs);
  print_rates(names, rates, 3, o.runs);
  std::printf(
      "%s\n",
      ratio_row("pipeline / plain C++ loop", rates[pipeline_s], rates[loop_s], 0.8).c_str());
  std::printf("%s\n\n",
              ratio_row("pipeline / Python loop", rates[pipeline_s], rates[python_s], 5).c_str());
  if (m[loop_s] > 0 && m[python_s] > 0)
    paragraph(format(
        "For scale: the plain C++ loop itself moves %.2f times as many records as the Python loop. "
        "Both loops spend nearly all their time in librdkafka and in the broker (the Python loop "
        "is thin glue over the same C client: 1-2 us per record in all), so nothing on this path "
        "can reach 5 times the Python loop: that floor assumed a Python loop of ~0.1 M msg/s, "
        "which "
        "is what Python does once it has per-record work of its own (the CLI benchmark below, with "
        "json).",
        m[loop_s] / m[python_s]));
  paragraph(
      "What it took (found with these runs; see the commit messages): the Kafka source paused its "
      "partitions whenever the runtime ran out of credit for a moment, which in librdkafka "
      "discards "
      "everything fetched ahead and refetches only on the broker thread's next wakeup (up to 1 s): "
      "0.01 M msg/s. It now pauses them only after 100 ms without credit. librdkafka 2.0.2 also "
      "stops fetching once queued.min.messages (100,000) wait and looks again only on that wakeup: "
      "every side stalled for most of a second per run; the source now sets 1,000,000, and so do "
      "both loops here. And the sink stopped granting credit once 2048 messages awaited their "
      "delivery reports (the credit), which held a Kafka sink to ~0.3 M msg/s: sinks now have a "
      "backlog of their own (runtime_options::sink_backlog, 65,536). Then, from 0.76 to "
      "0.77-0.84 of the C++ loop in full runs (the loop swings between ~1.3 and ~2.0 M msg/s from "
      "one run to the next, the pipeline stays near 1.6): jemalloc instead of glibc's malloc "
      "(messages are freed on other threads than "
      "the ones that made them; both sides here share the allocator, the pipeline gained more); "
      "the Kafka source and sink wake their actors through librdkafka's queue callbacks instead "
      "of being polled every 1-2 ms; and a source short of credit arms one poll timer at a time "
      "(it used to arm one per shortage: ~1900 timer wakeups a second in CAF's clock thread).");
  if (latency_runs == 0)
    return;
  paragraph(format(
      "End-to-end latency at half the pipeline's maximum rate: %zu timed records produced at %.0f "
      "msg/s (%.0f s) while the pipeline runs, each timed from its produce call (load producer: "
      "linger.ms=1) to its arrival at a reader of the output topic in the same process; warm-up "
      "records sent until the group has joined are left out. Every consumer here (the pipeline's "
      "source, the loop's, the reader) has fetch.wait.max.ms=5: the embedded broker answers a "
      "fetch that finds no data only after that wait, even when records arrive meanwhile (a real "
      "broker answers at once), so with the default of 500 ms both sides measured ~250 ms. The "
      "plain C++ loop at the same rate for comparison. Median over %d runs of each run's "
      "percentile:",
      records, rate, o.latency_seconds, latency_runs));
  std::printf("| side | p50 | p99 | max |\n|---|---|---|---|\n");
  for (int s = 0; s < 2; ++s)
    if (!p50[s].empty())
      std::printf("| %s | %.1f ms | %.1f ms | %.1f ms |\n", s == 0 ? "pipeline" : "plain C++ loop",
                  median(p50[s]), median(p99[s]), median(maxes[s]));
  std::printf("\n");
}

} // namespace streams::bench
