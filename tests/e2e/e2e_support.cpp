#include "e2e_support.hpp"

#include "support/python_producer.hpp"
#include "support/run_process.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <map>
#include <sstream>
#include <stdexcept>

namespace streams::e2e {

namespace {

// One script for every client operation, the operation named by its first argument. Output
// is line-based with bytes in hex ("x" + hex; "-" for null), so that any byte survives.
const char* client_script = R"(
import sys, time
from confluent_kafka import Consumer, TopicPartition, KafkaException

def consumer(bootstrap, group):
    return Consumer({'bootstrap.servers': bootstrap, 'group.id': group,
                     'enable.auto.commit': False, 'auto.offset.reset': 'earliest',
                     'session.timeout.ms': 6000, 'heartbeat.interval.ms': 500})

def partitions(c, topic):
    t = c.list_topics(topic, timeout=10).topics[topic]
    if t.error is not None:
        raise KafkaException(t.error)
    return sorted(t.partitions)

def ends(c, topic, parts):
    return {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=10) for p in parts}

def hexed(b):
    return '-' if b is None else 'x' + b.hex()

def offsets_line(d):
    return ' '.join('%d:%d' % (p, o) for p, o in sorted(d.items()))

def committed(c, topic, parts):
    return {tp.partition: tp.offset
            for tp in c.committed([TopicPartition(topic, p) for p in parts], timeout=10)}

op, bootstrap, topic = sys.argv[1], sys.argv[2], sys.argv[3]
if op == 'read':
    c = consumer(bootstrap, 'e2e-reader')
    marks = ends(c, topic, partitions(c, topic))
    todo = {p for p, (lo, hi) in marks.items() if hi > lo}
    c.assign([TopicPartition(topic, p, marks[p][0]) for p in todo])
    rows = []
    deadline = time.time() + 60
    while todo and time.time() < deadline:
        for m in c.consume(1000, 0.5):
            if m.error() is not None:
                continue
            p, o = m.partition(), m.offset()
            if o < marks[p][1]:
                rows.append((p, o, m.timestamp()[1], hexed(m.key()), hexed(m.value()),
                             m.headers() or []))
            if o + 1 >= marks[p][1]:
                todo.discard(p)
    c.close()
    if todo:
        print('timed out reading partitions %s of %s' % (sorted(todo), topic), file=sys.stderr)
        sys.exit(1)
    rows.sort(key=lambda r: (r[0], r[1]))
    for p, o, ts, k, v, hs in rows:
        fields = [str(p), str(o), str(ts), k, v, str(len(hs))]
        for name, value in hs:
            fields += [hexed(name.encode()), hexed(value)]
        print(' '.join(fields))
elif op == 'ends':
    c = consumer(bootstrap, 'e2e-reader')
    print(offsets_line({p: hi for p, (lo, hi) in ends(c, topic, partitions(c, topic)).items()}))
    c.close()
elif op == 'committed' or op == 'wait-committed':
    group = sys.argv[4]
    c = consumer(bootstrap, group)
    parts = partitions(c, topic)
    seen = committed(c, topic, parts)
    if op == 'wait-committed':
        deadline = time.time() + float(sys.argv[5])
        while time.time() < deadline:
            target = {p: hi for p, (lo, hi) in ends(c, topic, parts).items()}
            if seen == target:
                break
            time.sleep(0.2)
            seen = committed(c, topic, parts)
    print(offsets_line(seen))
    c.close()
else:
    sys.exit('unknown operation ' + op)
)";

test::process_result run_client(const std::vector<std::string>& args,
                                std::chrono::milliseconds limit = 90s) {
  auto r = test::run_python(client_script, args, limit);
  INFO("python client " << args.front() << " stderr: " << r.err);
  REQUIRE_FALSE(r.timed_out);
  REQUIRE(r.exit_code == 0);
  return r;
}

std::string unhex(const std::string& field) {
  if (field.empty() || field[0] != 'x')
    throw std::runtime_error("not a hex field: " + field);
  std::string out;
  for (std::size_t i = 1; i + 1 < field.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(field.substr(i, 2), nullptr, 16)));
  return out;
}

offsets parse_offsets(const std::string& line) {
  offsets out;
  std::istringstream in(line);
  for (std::string item; in >> item;) {
    auto colon = item.find(':');
    out[std::stoi(item.substr(0, colon))] = std::stoll(item.substr(colon + 1));
  }
  return out;
}

std::vector<std::string> relay_command(const std::string& config,
                                       std::chrono::milliseconds commit_interval,
                                       const std::string& state_dir,
                                       const std::vector<std::string>& args) {
  std::vector<std::string> argv{STREAMS_BIN, "run", "--config", config, "--state-dir", state_dir};
  if (commit_interval.count() > 0)
    argv.insert(argv.end(), {"--commit-interval-ms", std::to_string(commit_interval.count())});
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(RELAY_APP);
  return argv;
}

} // namespace

std::vector<record> read_topic(const std::string& bootstrap, const std::string& topic) {
  auto r = run_client({"read", bootstrap, topic});
  std::vector<record> out;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream in(line);
    record rec;
    std::string key, value;
    std::size_t n = 0;
    in >> rec.partition >> rec.offset >> rec.timestamp >> key >> value >> n;
    if (key != "-")
      rec.key = unhex(key);
    rec.value = value == "-" ? "" : unhex(value);
    for (std::size_t i = 0; i < n; ++i) {
      std::string name, v;
      in >> name >> v;
      rec.hdrs.push_back({unhex(name), v == "-" ? "" : unhex(v)});
    }
    out.push_back(std::move(rec));
  }
  return out;
}

offsets end_offsets(const std::string& bootstrap, const std::string& topic) {
  return parse_offsets(run_client({"ends", bootstrap, topic}).out);
}

offsets committed_offsets(const std::string& bootstrap, const std::string& topic,
                          const std::string& group) {
  return parse_offsets(run_client({"committed", bootstrap, topic, group}).out);
}

offsets wait_committed_to_end(const std::string& bootstrap, const std::string& topic,
                              const std::string& group, std::chrono::milliseconds limit) {
  auto seconds = std::to_string(static_cast<double>(limit.count()) / 1000.0);
  return parse_offsets(
      run_client({"wait-committed", bootstrap, topic, group, seconds}, limit + 60s).out);
}

background_producer::background_producer(const std::string& bootstrap, const std::string& topic,
                                         int count, double rate, const std::string& prefix,
                                         int keys)
    : process_(test::python_producer(bootstrap, topic, count, prefix, keys, rate), dir_.path()) {}

bool background_producer::finished(std::chrono::milliseconds limit) {
  auto code = process_.wait(limit);
  return code && *code == 0;
}

void background_producer::stop() {
  process_.signal(SIGTERM);
  process_.wait(10s);
}

std::map<std::string, std::string> group_timing() {
  return {{"session.timeout.ms", "6000"}, {"heartbeat.interval.ms", "500"}};
}

kafka::source_config source_config_for(const kafka::embedded_broker& broker,
                                       const std::string& topic, const std::string& group) {
  kafka::source_config c;
  c.bootstrap_servers = broker.bootstrap_servers();
  c.topic = topic;
  c.consumer_group = group;
  c.override_params = group_timing();
  return c;
}

kafka::sink_config sink_config_for(const kafka::embedded_broker& broker, const std::string& topic) {
  kafka::sink_config c;
  c.bootstrap_servers = broker.bootstrap_servers();
  c.topic = topic;
  return c;
}

runtime_options test_options() {
  runtime_options o;
  o.commit_interval = 200ms;
  return o;
}

running_pipeline::running_pipeline(std::unique_ptr<pipeline> p, runtime_options options)
    : pipeline_(std::move(p)), runtime_(std::make_unique<runtime>(pipeline_->graph(), options)) {
  runtime_->start();
  // The runtime's wait blocks until the end; wait aside, so that a test can wait with a limit.
  ending_ = std::async(std::launch::async, [this] { return runtime_->wait(); });
}

running_pipeline::~running_pipeline() {
  if (!result_)
    stop();
}

run_result running_pipeline::stop(std::chrono::milliseconds limit) {
  if (!result_) {
    runtime_->stop();
    if (ending_.wait_for(limit) != std::future_status::ready) {
      // A pipeline that does not drain cannot be abandoned (its actors use this object's
      // pipeline): end the test binary, as a hung test would be ended.
      std::fprintf(stderr, "FATAL: the pipeline did not stop within %lld ms of being asked\n",
                   static_cast<long long>(limit.count()));
      std::abort();
    }
    result_ = ending_.get();
  }
  return *result_;
}

std::optional<run_result> running_pipeline::wait_for_end(std::chrono::milliseconds limit) {
  if (!result_ && ending_.wait_for(limit) == std::future_status::ready)
    result_ = ending_.get();
  return result_;
}

int id_of(const std::string& value) {
  auto dash = value.find('-');
  if (dash == std::string::npos)
    throw std::runtime_error("no id in '" + value + "'");
  return std::stoi(value.substr(dash + 1));
}

std::string origin_text(const message& m) {
  auto& o = m.lineage().origins().front();
  return std::to_string(o.partition) + ":" + std::to_string(o.offset);
}

void write_relay_config(const std::string& path, const std::string& group,
                        const std::string& more_steps, const std::string& metrics) {
  std::ofstream out(path);
  out << R"(# The relay test app: stream e2e-in to stream e2e-out.
env: {}
pipeline:
  segments:
    - steps_config:
        input:
          starts_segment: true
          bootstrap_servers: ["${envvar:STREAMS_BOOTSTRAP_SERVERS}"]
          topic: e2e-in
          consumer_group: )"
      << group << R"(
          auto_offset_reset: earliest
          override_params:
)";
  for (auto& [k, v] : group_timing())
    out << "            " << k << ": " << v << "\n";
  out << R"(        output:
          bootstrap_servers: ["${envvar:STREAMS_BOOTSTRAP_SERVERS}"]
          topic: e2e-out
)" << more_steps
      << "metrics: " << metrics << "\n";
}

relay_process::relay_process(const test::temp_directory& dir, const std::string& bootstrap,
                             const std::string& config, const std::string& instance, double rate,
                             std::chrono::milliseconds commit_interval,
                             std::map<std::string, std::string> env,
                             const std::vector<std::string>& args)
    : progress_path_(dir.file("progress-" + instance)),
      process_(relay_command(config, commit_interval, dir.file("state"), args), dir.path(), [&] {
        env.insert({{"STREAMS_BOOTSTRAP_SERVERS", bootstrap},
                    {"E2E_INSTANCE", instance},
                    {"E2E_RATE", std::to_string(rate)},
                    {"E2E_PROGRESS", progress_path_}});
        return env;
      }()) {}

std::size_t relay_process::relayed() const {
  auto text = test::read_file(progress_path_);
  auto digits = text.find_first_of("0123456789");
  return digits == std::string::npos ? 0 : std::stoul(text.substr(digits));
}

namespace {

/// "KEY COUNT FIRST LAST": a window of the relay app's counting mode.
struct window_count {
  std::string key;
  std::uint64_t count = 0;
  long long first = 0; ///< the least message number in the window
  long long last = 0;  ///< the greatest
};

window_count parse_window(const std::string& value) {
  window_count w;
  std::istringstream in(value);
  in >> w.key >> w.count >> w.first >> w.last;
  return w;
}

} // namespace

std::uint64_t parse_window_count(const std::string& value) { return parse_window(value).count; }

void check_exact_window_counts(const std::vector<record>& output, int total, int keys,
                               std::size_t window) {
  // Message i has key "k<i mod keys>", and a key's messages share a partition and keep their
  // order, so a key's windows hold runs of its numbers k, k + keys, k + 2 keys ... that tile
  // them: each window the numbers from its first to its last, the next starting after it. A
  // window may come out twice (emitted, then killed before its delivery was recorded), but
  // then the same.
  std::map<std::pair<std::string, long long>, window_count> windows;
  std::size_t repeats = 0;
  for (auto& r : output) {
    auto w = parse_window(r.value);
    auto [it, fresh] = windows.try_emplace({w.key, w.first}, w);
    if (!fresh) {
      ++repeats;
      CHECK_MESSAGE((it->second.count == w.count && it->second.last == w.last),
                    "window " << r.value << " came out differently before");
    }
  }
  std::map<std::string, std::uint64_t> per_key;
  std::map<std::string, long long> next; // per key, the number its next window starts with
  for (auto& [id, w] : windows) {        // by key, then by first number
    auto k = std::stoll(w.key.substr(1));
    auto [expected, fresh] = next.try_emplace(w.key, k);
    CHECK_MESSAGE((w.first == expected->second && (w.last - w.first) % keys == 0
                   && w.count == static_cast<std::uint64_t>((w.last - w.first) / keys + 1)
                   && (window == 0 || w.count == window)),
                  "window " << w.key << " " << w.count << " " << w.first << " " << w.last
                            << " (expected to start at " << expected->second << ")");
    expected->second = w.last + keys;
    per_key[w.key] += w.count;
  }
  MESSAGE(windows.size() << " windows, " << repeats << " emitted again after a failure");
  if (window > 0)
    CHECK(windows.size() == static_cast<std::size_t>(total) / window);
  REQUIRE(per_key.size() == static_cast<std::size_t>(keys));
  for (auto& [key, n] : per_key)
    CHECK_MESSAGE(n == static_cast<std::uint64_t>(total / keys), "key " << key);
}

} // namespace streams::e2e
