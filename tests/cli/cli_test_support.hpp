#pragma once

// Helpers of the CLI tests: the `streams` binary run as a user runs it, the embedded broker
// run as `streams kafka-mock` in a process of its own, and independent Kafka clients (kcat to
// produce and read topics, confluent-kafka in Python to read a group's committed offsets).

#include "support/child_process.hpp"
#include "support/kafka_mock.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace streams::test {

/// The `streams` binary under test.
extern const std::string streams_bin;
/// apps/examples/configs: the deployment configs shipped with the examples.
extern const std::string example_configs;

/// What a finished command gave.
struct outcome {
  int code;
  std::string out;
  std::string err;
};

/// Runs `streams args...` to completion (at most 30 s) in a fresh directory, with `env` added to
/// the environment.
outcome run_cli(std::vector<std::string> args, std::map<std::string, std::string> env = {});

std::size_t count_lines(const std::string& s);

/// Produces each of `values` as one message (no key) to `topic` with kcat; returns when all
/// are acknowledged. Values must not contain newlines.
void produce(const std::string& bootstrap, const std::string& topic,
             const std::vector<std::string>& values);

/// Every message value in `topic` now, read with kcat from the beginning of every partition.
std::vector<std::string> read_topic(const std::string& bootstrap, const std::string& topic);

/// Reads `topic` until it holds at least `count` messages or `limit` passes; what it holds then.
std::vector<std::string> read_topic_until(const std::string& bootstrap, const std::string& topic,
                                          std::size_t count, std::chrono::milliseconds limit);

/// A partition's committed offset in a group (-1 when none) and its end offset.
struct partition_progress {
  int partition;
  long long committed;
  long long end;
};

/// The committed and end offsets of every partition of `topic` for `group`, asked with
/// confluent-kafka (which joins no group to answer).
std::vector<partition_progress> group_progress(const std::string& bootstrap,
                                               const std::string& group, const std::string& topic);

/// Whether `group` has committed the end of every partition of `topic`.
bool committed_to_end(const std::vector<partition_progress>& progress);

/// Whether `group` has committed any offset of `topic`.
bool committed_anything(const std::vector<partition_progress>& progress);

/// Sends `sig` to a running `streams run` and waits (at most 30 s) for its exit code.
int stop(child_process& p, int sig);

/// `values` sorted, for comparing what a topic holds regardless of partition order.
std::vector<std::string> sorted(std::vector<std::string> values);

} // namespace streams::test
