#include "streams/actors/stop_signals.hpp"

#include <atomic>
#include <csignal>

namespace streams::actors {

namespace {

std::atomic<bool> signalled{false};

void on_signal(int) { signalled = true; }

} // namespace

void install_stop_signals() {
  signalled = false; // a signal before this one ended an earlier run, or killed the process
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESETHAND; // a second signal terminates at once
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool stop_requested() { return signalled; }

} // namespace streams::actors
