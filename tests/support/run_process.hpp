#pragma once

// Running a short-lived process to completion: an independent Kafka client (kcat, a Python
// script), fed on standard input, its output collected, killed when it overruns its time.
// For processes a test keeps running while it does other things, see child_process.hpp.

#include <chrono>
#include <string>
#include <vector>

namespace streams::test {

struct process_result {
  int exit_code = -1; ///< -1 when killed
  bool timed_out = false;
  std::string out;
  std::string err;
};

/// Runs `argv` (looked up in PATH), feeding it `input` on stdin; kills it after `timeout`.
process_result run_process(const std::vector<std::string>& argv, const std::string& input = "",
                           std::chrono::milliseconds timeout = std::chrono::seconds(30));

/// Runs a Python script with Debian's interpreter (/usr/bin/python3, which has confluent_kafka
/// and kafka; a python3 earlier on PATH may not), passing `args` as sys.argv[1:].
process_result run_python(const std::string& script, const std::vector<std::string>& args = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));

} // namespace streams::test
