#include "child_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace streams::bench {

namespace {

std::string temp_path(const char* what) {
  std::string path = "/tmp/streams-bench-" + std::to_string(getpid()) + "-XXXXXX";
  int fd = mkstemp(path.data());
  if (fd < 0)
    throw std::runtime_error(std::string("cannot create a temporary file for ") + what);
  close(fd);
  return path;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

child_process::child_process(std::vector<std::string> argv,
                             const std::map<std::string, std::string>& env)
    : argv_(std::move(argv)), out_path_(temp_path("stdout")), err_path_(temp_path("stderr")) {
  std::vector<std::string> env_text;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    if (!env.count(entry.substr(0, entry.find('='))))
      env_text.push_back(entry);
  }
  for (auto& [name, value] : env)
    env_text.push_back(name + "=" + value);
  std::vector<char*> args, envp;
  for (auto& a : argv_)
    args.push_back(a.data());
  args.push_back(nullptr);
  for (auto& e : env_text)
    envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_ = fork();
  if (pid_ < 0)
    throw std::runtime_error("cannot fork: " + std::string(std::strerror(errno)));
  if (pid_ == 0) {
    int out = open(out_path_.c_str(), O_WRONLY | O_TRUNC);
    int err = open(err_path_.c_str(), O_WRONLY | O_TRUNC);
    if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
      _exit(126);
    execve(args[0], args.data(), envp.data());
    std::fprintf(stderr, "cannot execute %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
  }
}

child_process::~child_process() {
  if (running()) {
    signal(SIGKILL);
    wait(std::chrono::seconds(5));
  }
  std::remove(out_path_.c_str());
  std::remove(err_path_.c_str());
}

void child_process::signal(int sig) {
  if (pid_ > 0 && !status_)
    kill(pid_, sig);
}

std::optional<int> child_process::wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!status_) {
    int raw = 0;
    auto r = waitpid(pid_, &raw, WNOHANG);
    if (r == pid_) {
      status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
      break;
    }
    if (r < 0 || std::chrono::steady_clock::now() >= deadline)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return status_;
}

bool child_process::running() { return pid_ > 0 && !wait(std::chrono::milliseconds(0)); }

double child_process::cpu_seconds() const {
  // Fields 14 and 15 of /proc/PID/stat, after the command name in parentheses.
  auto stat = read_file("/proc/" + std::to_string(pid_) + "/stat");
  auto fields = stat.substr(stat.rfind(')') + 2);
  unsigned long long user = 0, system = 0;
  if (std::sscanf(fields.c_str(), "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &user,
                  &system)
      != 2)
    throw std::runtime_error("cannot read the CPU time of " + argv_.front());
  return static_cast<double>(user + system) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::string child_process::out() const { return read_file(out_path_); }

std::string child_process::err() const { return read_file(err_path_); }

std::string child_process::describe(int status) const {
  std::string command;
  for (auto& a : argv_)
    command += (command.empty() ? "" : " ") + a;
  auto text = err();
  if (text.size() > 2000)
    text = "..." + text.substr(text.size() - 2000);
  return "`" + command + "` exited with " + std::to_string(status)
         + "; its standard error ends with:\n" + text;
}

} // namespace streams::bench
