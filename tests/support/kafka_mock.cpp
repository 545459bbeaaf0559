#include "support/kafka_mock.hpp"

#include <chrono>
#include <csignal>
#include <stdexcept>

namespace streams::test {

using namespace std::chrono_literals;

kafka_mock::kafka_mock(const std::vector<std::string>& topics, const std::string& streams_binary) {
  auto file = dir_.file("bootstrap");
  std::vector<std::string> args{streams_binary, "kafka-mock", "--bootstrap-file", file};
  for (auto& t : topics) {
    args.push_back("--topic");
    args.push_back(t);
  }
  process_ = std::make_unique<child_process>(args, dir_.path());
  bool up = eventually(
      [&] {
        auto lines = read_lines(file);
        return !lines.empty() && !lines.front().empty();
      },
      20s);
  if (!up)
    throw std::runtime_error("streams kafka-mock did not start; stderr: " + process_->err());
  bootstrap_ = read_lines(file).front();
}

kafka_mock::~kafka_mock() {
  if (paused_)
    resume();
  process_->signal(SIGTERM);
  process_->wait(10s); // the child_process kills it if it has not stopped by then
}

void kafka_mock::pause() {
  process_->signal(SIGSTOP);
  paused_ = true;
}

void kafka_mock::resume() {
  process_->signal(SIGCONT);
  paused_ = false;
}

} // namespace streams::test
