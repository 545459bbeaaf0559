#pragma once

// A real child process for tests: started with arguments and extra environment, its output
// captured to files, signalled, and waited for with a time limit.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace streams::test {

class child_process {
public:
  /// Starts `argv[0]` (a path, or a name looked up in PATH). Output goes to files in `dir`.
  child_process(std::vector<std::string> argv, const std::string& dir,
                std::map<std::string, std::string> env = {});
  /// Kills the child if it still runs.
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int sig);
  /// The exit code (128 + signal when killed by one), or nothing if still running after `limit`.
  std::optional<int> wait(std::chrono::milliseconds limit);
  bool running();

  std::string out() const;
  std::string err() const;

private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::string out_path_;
  std::string err_path_;
};

/// A fresh directory under /tmp, removed with everything in it on destruction.
class temp_directory {
public:
  temp_directory();
  ~temp_directory();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
  std::string path_;
};

std::string read_file(const std::string& path);
std::vector<std::string> read_lines(const std::string& path);
/// Whether the file at `path` holds at least `n` lines; reads no further, so a file that a
/// process fills without end is cheap to check.
bool has_lines(const std::string& path, std::size_t n);

/// Calls `pred` every few milliseconds until it holds or `limit` passes; its last answer.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (pred())
      return true;
    struct timespec ts {
      0, 10'000'000
    };
    nanosleep(&ts, nullptr);
  }
  return pred();
}

} // namespace streams::test
