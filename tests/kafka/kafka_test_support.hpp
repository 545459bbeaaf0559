#pragma once

// Helpers shared by the Kafka tests: independent Kafka clients (kcat, Python, run with
// support/run_process.hpp) and stand-ins for what the runtime gives sources and sinks.

#include "streams/commit_tracker.hpp"
#include "streams/source.hpp"
#include "support/recording_report.hpp"
#include "support/run_process.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace streams::kafka::test {

using namespace std::chrono_literals;

using streams::test::process_result;
using streams::test::run_process;
using streams::test::run_python;

/// What the runtime's source context does: tracks handed-out offsets and returns done
/// positions on revocation, recording every revocation.
class tracking_context : public source_context {
public:
  /// Answers `settle`, counting the calls.
  bool settled(const std::vector<std::int32_t>&) override {
    ++settle_asked;
    return settle;
  }
  std::vector<partition_offset> revoke(const std::vector<std::int32_t>& partitions) override;

  /// The source handed these messages out.
  void track(const std::vector<message>& batch);
  /// Marks a message done (its whole weight comes back).
  void done(const message& m);
  std::vector<partition_offset> take_commits() { return tracker_.take_commits(); }

  bool settle = true;
  std::size_t settle_asked = 0;
  std::vector<std::vector<std::int32_t>> revocations;
  std::vector<std::vector<partition_offset>> revoked_positions;

private:
  commit_tracker tracker_;
};

using streams::test::recording_report;

/// Polls `src` (256 at a time, sleeping 1 ms when nothing comes, as the runtime does) until
/// `enough(all received so far)` or `timeout`; returns what it received.
std::vector<message> poll_until(source& src,
                                const std::function<bool(const std::vector<message>&)>& enough,
                                std::chrono::milliseconds timeout, tracking_context* ctx = nullptr);

/// Polls for `duration`, returning whatever comes (to show that nothing does).
std::vector<message> poll_for(source& src, std::chrono::milliseconds duration,
                              tracking_context* ctx = nullptr);

/// Produces `count` messages to `topic` with confluent_kafka: value "<prefix>-i", key "k<i %
/// keys>", headers [("h", "<i>"), ("dup", "a"), ("dup", "b")]. Returns when all are delivered.
void produce_with_python(const std::string& bootstrap, const std::string& topic, int count,
                         const std::string& prefix = "m", int keys = 7);

/// Counts the calls of the waker it makes (from any thread) and lets a test wait for one.
class wake_counter {
public:
  waker make();
  /// True once woken more than `seen` times in all; false when `timeout` passed first.
  bool wait_beyond(std::size_t seen, std::chrono::milliseconds timeout);
  std::size_t count();

private:
  std::mutex mutex_;
  std::condition_variable woken_;
  std::size_t count_ = 0;
};

std::int32_t partition_of(const message& m);
std::int64_t offset_of(const message& m);

} // namespace streams::kafka::test
