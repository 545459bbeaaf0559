#pragma once

// Helpers of the end-to-end tests: independent Kafka clients (confluent-kafka in Python, run as
// child processes) that read topics, committed offsets and end offsets and produce in the
// background; pipelines run in this process; and the `streams` CLI with the relay test app.

#include "support/child_process.hpp"
#include "support/run_failure.hpp"

#include "streams/actors/runtime.hpp"
#include "streams/kafka/embedded_broker.hpp"
#include "streams/kafka/sink_config.hpp"
#include "streams/kafka/source_config.hpp"
#include "streams/message.hpp"
#include "streams/pipeline.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace streams::e2e {

using namespace std::chrono_literals;

/// What confluent-kafka reports for a partition without a committed offset.
constexpr std::int64_t no_offset = -1001;

/// Offsets (committed positions or end offsets) by partition.
using offsets = std::map<std::int32_t, std::int64_t>;

/// A record of a topic as an independent client read it.
struct record {
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp = 0;
  std::optional<std::string> key;
  std::string value;
  headers hdrs;
};

// -- independent clients (confluent-kafka, Python) ---------------------------------------

/// Every record of `topic`, from the start of each partition to its end at the time of the
/// call, ordered by partition and offset.
std::vector<record> read_topic(const std::string& bootstrap, const std::string& topic);

/// The end offset (high watermark) of every partition of `topic`.
offsets end_offsets(const std::string& bootstrap, const std::string& topic);

/// The offsets `group` has committed for every partition of `topic` (`no_offset` when none),
/// read with Consumer.committed() by a client that does not join the group.
offsets committed_offsets(const std::string& bootstrap, const std::string& topic,
                          const std::string& group);

/// Asks for `group`'s committed offsets every 200 ms until they equal the end offsets of
/// `topic` or `limit` passes; returns the last answer.
offsets wait_committed_to_end(const std::string& bootstrap, const std::string& topic,
                              const std::string& group, std::chrono::milliseconds limit = 60s);

/// A producer in a child process writing `count` messages to `topic` at `rate` messages per
/// second (as fast as it can when 0), as support/python_producer.hpp says. Runs until done, or
/// until stopped.
class background_producer {
public:
  background_producer(const std::string& bootstrap, const std::string& topic, int count,
                      double rate, const std::string& prefix = "m", int keys = 16);
  /// True once every message was delivered (exit code 0), within `limit`.
  bool finished(std::chrono::milliseconds limit);
  /// Ends it early; what it produced so far stays in the topic.
  void stop();
  std::string errors() const { return process_.err(); }

private:
  test::temp_directory dir_;
  test::child_process process_;
};

// -- pipelines in this process ---------------------------------------------------------

/// What every consumer in these tests sets: the mock broker makes a joining member wait
/// session.timeout.ms − 1 s after another left (docs/kafka.md), so keep it short.
std::map<std::string, std::string> group_timing();

kafka::source_config source_config_for(const kafka::embedded_broker& broker,
                                       const std::string& topic, const std::string& group);
kafka::sink_config sink_config_for(const kafka::embedded_broker& broker, const std::string& topic);

/// Options for pipelines under test: commits every 200 ms so tests need not wait long.
runtime_options test_options();

/// A pipeline run by `streams::runtime` in this process; it owns the pipeline (the runtime
/// refers to its graph). Stopped and drained on destruction if the test did not stop it.
class running_pipeline {
public:
  explicit running_pipeline(std::unique_ptr<pipeline> p, runtime_options options = test_options());
  ~running_pipeline();

  /// Drains (what is in flight is delivered and committed) and returns the result; aborts
  /// the test binary if that takes longer than `limit`.
  run_result stop(std::chrono::milliseconds limit = 120s);
  /// The result of a pipeline that ends by itself (a failure), or nothing if it still runs
  /// after `limit`.
  std::optional<run_result> wait_for_end(std::chrono::milliseconds limit);

private:
  std::unique_ptr<pipeline> pipeline_;
  std::unique_ptr<runtime> runtime_;
  std::future<run_result> ending_; // runtime::wait, called on a thread of its own
  std::optional<run_result> result_;
};

/// A count shared between a test and the user functions of its pipeline.
using counter = std::shared_ptr<std::atomic<std::size_t>>;
inline counter make_counter() { return std::make_shared<std::atomic<std::size_t>>(0); }

/// What `got` lacks and has too many of compared with `want` ("2 missing: m-3 m-9; 1 extra:
/// m-4"), the first few of each, for the message of a failed comparison. For sorted
/// containers: std::set, std::multiset.
template <class Sorted>
std::string difference(const Sorted& got, const Sorted& want) {
  using T = typename Sorted::value_type;
  std::vector<T> missing, extra;
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                      std::back_inserter(missing));
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(extra));
  std::ostringstream text;
  auto list = [&](const char* what, const std::vector<T>& items) {
    text << items.size() << " " << what;
    for (std::size_t i = 0; i < items.size() && i < 10; ++i)
      text << (i ? " " : ": ") << items[i];
    text << (items.size() > 10 ? " ..." : "");
  };
  list("missing", missing);
  text << "; ";
  list("extra", extra);
  return text.str();
}

/// "m-17" → 17: the number in a value written by `produce_with_python` or
/// `background_producer` (up to the first character after it that is not a digit).
int id_of(const std::string& value);

/// "<partition>:<offset>" of a message's first origin (what a test pipeline records).
std::string origin_text(const message& m);

/// The COUNT of a window the relay app's counting mode emitted ("KEY COUNT FIRST LAST").
std::uint64_t parse_window_count(const std::string& value);

/// Checks the output of the relay app's counting mode (E2E_COUNT_WINDOW=`window`, or
/// E2E_TIME_WINDOW with `window` 0: windows of any size) over `total` messages "m-<i>" keyed
/// "k<i mod keys>" (produce_with_python), total a multiple of keys times window: every window
/// full, holding exactly the numbers it must, each counted once (one emitted again after a
/// failure must be the same), every key counted total/keys times. Nothing lost, nothing
/// counted twice.
void check_exact_window_counts(const std::vector<record>& output, int total, int keys,
                               std::size_t window);

// -- the `streams` CLI with the relay app (tests/e2e/apps/relay_app.cpp) -----------------

/// Writes a deployment config for the relay app (stream "e2e-in" to stream "e2e-out") to
/// `path`: its consumer group `group`, brokers from $STREAMS_BOOTSTRAP_SERVERS; `more_steps`
/// (YAML at the indentation of a step name) configures further steps; `metrics` is the
/// `metrics` section (YAML flow style).
void write_relay_config(const std::string& path, const std::string& group,
                        const std::string& more_steps = "",
                        const std::string& metrics = "{type: dummy}");

/// `streams run --config CONFIG RELAY_APP` as a child process. `instance` tags its output;
/// `rate` (messages/s, 0 = unthrottled) slows its relay step; a `commit_interval` other than
/// 0 is passed as --commit-interval-ms (the CLI's default is 1 s).
class relay_process {
public:
  /// `env` adds to the app's environment (E2E_COUNT_WINDOW), `args` to the options of
  /// `streams run`. Stateful steps keep their state in `dir`/state, the same for every run in
  /// `dir`.
  relay_process(const test::temp_directory& dir, const std::string& bootstrap,
                const std::string& config, const std::string& instance, double rate = 0,
                std::chrono::milliseconds commit_interval = 0ms,
                std::map<std::string, std::string> env = {},
                const std::vector<std::string>& args = {});
  /// Messages the relay step of this process has passed on so far (kept by the app in a
  /// file, every 50 messages).
  std::size_t relayed() const;
  test::child_process& process() { return process_; }

private:
  std::string progress_path_;
  test::child_process process_;
};

} // namespace streams::e2e
