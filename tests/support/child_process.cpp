#include "child_process.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace streams::test {

child_process::child_process(std::vector<std::string> argv, const std::string& dir,
                             std::map<std::string, std::string> env) {
  static int counter = 0;
  auto tag = std::to_string(getpid()) + "-" + std::to_string(counter++);
  out_path_ = dir + "/child-" + tag + ".out";
  err_path_ = dir + "/child-" + tag + ".err";
  pid_ = fork();
  if (pid_ < 0)
    throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid_ == 0) {
    int in = open("/dev/null", O_RDONLY);
    int out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    for (auto& [k, v] : env)
      setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (auto& a : argv)
      args.push_back(a.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    std::fprintf(stderr, "exec %s failed: %s\n", args[0], std::strerror(errno));
    _exit(127);
  }
}

child_process::~child_process() {
  if (pid_ > 0 && !status_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void child_process::signal(int sig) {
  if (!status_)
    kill(pid_, sig);
}

std::optional<int> child_process::wait(std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!status_) {
    int st = 0;
    auto r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      break;
    }
    if (std::chrono::steady_clock::now() >= until)
      return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return status_;
}

bool child_process::running() { return !wait(std::chrono::milliseconds(0)); }

std::string child_process::out() const { return read_file(out_path_); }

std::string child_process::err() const { return read_file(err_path_); }

temp_directory::temp_directory() {
  std::string tmpl = "/tmp/streams-test-XXXXXX";
  if (!mkdtemp(tmpl.data()))
    throw std::runtime_error(std::string("mkdtemp failed: ") + std::strerror(errno));
  path_ = tmpl;
}

temp_directory::~temp_directory() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

bool has_lines(const std::string& path, std::size_t n) {
  std::ifstream in(path);
  std::size_t count = 0;
  for (std::string line; count < n && std::getline(in, line);)
    ++count;
  return count >= n;
}

} // namespace streams::test
