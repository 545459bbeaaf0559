#pragma once

// The embedded broker as a process of its own (`streams kafka-mock`), for tests that need to
// stop it (SIGSTOP: a broker that hangs, connections open) or to keep it apart from the
// process under test.

#include "support/child_process.hpp"

#include <memory>
#include <string>
#include <vector>

namespace streams::test {

/// `streams kafka-mock` in a child process, with `topics` ("name:partitions") created, on
/// 127.0.0.1 at random ports; stopped with SIGTERM on destruction.
class kafka_mock {
public:
  kafka_mock(const std::vector<std::string>& topics, const std::string& streams_binary);
#ifdef STREAMS_BIN // the `streams` of the test binary that includes this
  explicit kafka_mock(const std::vector<std::string>& topics) : kafka_mock(topics, STREAMS_BIN) {}
#endif
  ~kafka_mock();
  kafka_mock(const kafka_mock&) = delete;
  kafka_mock& operator=(const kafka_mock&) = delete;

  const std::string& bootstrap() const { return bootstrap_; }
  /// Freezes the broker (SIGSTOP): its connections stay open and nothing answers.
  void pause();
  /// Lets a frozen broker go on (SIGCONT).
  void resume();

private:
  temp_directory dir_;
  std::unique_ptr<child_process> process_;
  std::string bootstrap_;
  bool paused_ = false;
};

} // namespace streams::test
