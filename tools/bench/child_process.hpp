#pragma once

// A program the harness starts beside itself (the `streams` CLI, a Python baseline), with its
// standard output and error going to files that are read once it has exited.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace streams::bench {

class child_process {
public:
  /// Starts `argv` (argv[0] is the path) with the harness's environment plus `env`.
  /// Throws std::runtime_error when it cannot start.
  child_process(std::vector<std::string> argv, const std::map<std::string, std::string>& env = {});
  /// Kills the process if it still runs and removes its output files.
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  void signal(int sig);
  /// Its exit status (exit code, or 128 + signal) once it has exited within `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  bool running();
  /// The CPU time (user + system) it has used so far, from /proc.
  double cpu_seconds() const;

  std::string out() const;
  std::string err() const;
  /// "`streams run ...` exited with 1; its standard error ends with: ..."
  std::string describe(int status) const;

private:
  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::string out_path_, err_path_;
};

} // namespace streams::bench
