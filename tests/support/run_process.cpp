#include "support/run_process.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace streams::test {

namespace {

void close_fd(int& fd) {
  if (fd >= 0)
    ::close(fd);
  fd = -1;
}

} // namespace

process_result run_process(const std::vector<std::string>& argv, const std::string& input,
                           std::chrono::milliseconds timeout) {
  int in[2], out[2], err[2];
  if (pipe(in) || pipe(out) || pipe(err))
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  pid_t pid = fork();
  if (pid < 0)
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]})
      ::close(fd);
    std::vector<char*> args;
    for (auto& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  int to_child = in[1], from_out = out[0], from_err = err[0];
  fcntl(to_child, F_SETFL, O_NONBLOCK);
  std::size_t written = 0;
  if (input.empty())
    close_fd(to_child);

  process_result result;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (from_out >= 0 || from_err >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    pollfd fds[3];
    int n = 0;
    if (from_out >= 0)
      fds[n++] = {from_out, POLLIN, 0};
    if (from_err >= 0)
      fds[n++] = {from_err, POLLIN, 0};
    if (to_child >= 0)
      fds[n++] = {to_child, POLLOUT, 0};
    if (::poll(fds, n, static_cast<int>(std::min<long>(left.count(), 100))) < 0 && errno != EINTR)
      break;
    for (int i = 0; i < n; ++i) {
      if (!fds[i].revents)
        continue;
      if (fds[i].fd == to_child) {
        auto w = ::write(to_child, input.data() + written, input.size() - written);
        if (w > 0)
          written += static_cast<std::size_t>(w);
        if (w < 0 || written == input.size())
          close_fd(to_child);
        continue;
      }
      char buf[65536];
      auto r = ::read(fds[i].fd, buf, sizeof(buf));
      if (r <= 0) {
        if (fds[i].fd == from_out)
          close_fd(from_out);
        else
          close_fd(from_err);
      } else {
        (fds[i].fd == from_out ? result.out : result.err).append(buf, static_cast<std::size_t>(r));
      }
    }
  }
  close_fd(to_child);
  close_fd(from_out);
  close_fd(from_err);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

process_result run_python(const std::string& script, const std::vector<std::string>& args,
                          std::chrono::milliseconds timeout) {
  std::vector<std::string> argv{"/usr/bin/python3", "-c", script};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, "", timeout);
}

} // namespace streams::test
