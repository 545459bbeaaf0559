#include "supervisor.hpp"

#include "log.hpp"

#include "streams/actors/stop_signals.hpp"

#include "streams/metrics/health.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

namespace streams::actors {

namespace {

using signal_atom = caf::atom_constant<caf::atom("signal")>;
using drain_atom = caf::atom_constant<caf::atom("drained")>; // the drain's deadline has come
constexpr auto signal_check = std::chrono::milliseconds(100);

struct supervisor_state {
  std::vector<managed_actor> actors;
  std::map<caf::actor_addr, std::string> steps;
  std::size_t running = 0;
  bool stopping = false;
  bool ended = false;
  metrics::metrics_registry* metrics = nullptr;
  run_result result;
  std::shared_ptr<std::promise<run_result>> promise;

  static inline const char* name = "streams.supervisor";
};

using self_ptr = caf::stateful_actor<supervisor_state>*;

void end(self_ptr self) {
  auto& s = self->state;
  if (s.ended)
    return;
  s.ended = true;
  s.metrics->running = false;
  s.promise->set_value(std::move(s.result));
  self->quit();
}

void request_stop(self_ptr self, std::chrono::milliseconds drain_timeout) {
  auto& s = self->state;
  if (s.stopping)
    return;
  s.stopping = true;
  log().info("stopping: draining what is in flight (for at most {} ms)", drain_timeout.count());
  for (auto& a : s.actors)
    if (a.is_source)
      self->send(a.handle, stop_atom::value);
  self->delayed_send(self, drain_timeout, drain_atom::value);
}

void abort(self_ptr self, const error& reason) {
  auto& s = self->state;
  if (!s.result.ok || s.ended)
    return;
  log().error("pipeline failed: {} ({})", reason.what(), reason.code());
  s.result.ok = false;
  s.result.failure = reason;
  for (auto& a : s.actors) {
    if (a.is_source)
      self->send(a.handle, abort_atom::value);
    else
      self->send_exit(a.handle, caf::exit_reason::user_shutdown);
  }
  end(self);
}

/// Creates the file or updates its modification time.
void touch(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 || ::futimens(fd, nullptr) != 0)
    log().warn("cannot touch health file '{}': {}", path, std::strerror(errno));
  if (fd >= 0)
    ::close(fd);
}

/// Probes every actor (each stamps its answer and refreshes its readiness) and, while all of
/// them answered the earlier probes in time, touches the health file: a step blocked in a
/// call stops the touches, an idle pipeline does not.
void probe(self_ptr self, const runtime_options& options) {
  auto& s = self->state;
  s.metrics->heartbeat_ms.set(metrics::steady_ms());
  for (auto& a : s.actors)
    self->send(a.handle, probe_atom::value);
  if (options.health_file.empty())
    return;
  auto live = metrics::check_liveness(*s.metrics, options.stall_timeout);
  if (live.ok)
    touch(options.health_file);
  else
    log().warn("not touching the health file: {}", live.problems.front());
}

caf::behavior supervisor(self_ptr self, std::vector<managed_actor> actors, runtime_options options,
                         metrics::metrics_registry* registry,
                         std::shared_ptr<std::promise<run_result>> promise) {
  auto& s = self->state;
  s.actors = std::move(actors);
  s.metrics = registry;
  s.promise = std::move(promise);
  s.running = s.actors.size();
  for (auto& a : s.actors) {
    a.w.supervisor = self;
    s.steps[a.handle.address()] = a.step;
    self->monitor(a.handle);
    self->send(a.handle, wire_atom::value, a.w);
  }
  if (options.stop_on_signals)
    self->delayed_send(self, signal_check, signal_atom::value);
  auto now = metrics::steady_ms();
  s.metrics->heartbeat_ms.set(now);
  for (auto& m : s.metrics->steps())
    m.answered_ms.set(now);
  s.metrics->running = true;
  self->send(self, probe_atom::value);

  self->set_down_handler([=](caf::down_msg& msg) {
    auto& s = self->state;
    if (msg.reason && msg.reason != caf::exit_reason::user_shutdown)
      abort(self, run_error(runtime_errc::actor_died, "the actor of step '" + s.steps[msg.source]
                                                          + "' died: " + to_string(msg.reason)));
  });
  return {
      [=](done_atom, step_stats& stats) {
        auto& s = self->state;
        merge_into(s.result.steps, stats);
        if (--s.running == 0)
          end(self);
      },
      [=](start_atom) {
        for (auto& a : self->state.actors)
          if (a.is_source)
            self->send(a.handle, start_atom::value);
      },
      [=](failed_atom, const error& reason) { abort(self, reason); },
      [=](stop_atom) { request_stop(self, options.drain_timeout); },
      [=](drain_atom) {
        abort(self,
              run_error(runtime_errc::drain_timeout,
                        "the drain did not end within "
                            + std::to_string(options.drain_timeout.count())
                            + " ms (drain_timeout); what was not delivered is not committed"));
      },
      [=](probe_atom) {
        probe(self, options);
        self->delayed_send(self, options.health_interval, probe_atom::value);
      },
      [=](signal_atom) {
        if (stop_requested())
          request_stop(self, options.drain_timeout);
        else
          self->delayed_send(self, signal_check, signal_atom::value);
      },
  };
}

} // namespace

caf::actor spawn_supervisor(caf::actor_system& sys, std::vector<managed_actor> actors,
                            const runtime_options& options, metrics::metrics_registry& metrics,
                            std::shared_ptr<std::promise<run_result>> result) {
  return sys.spawn(supervisor, std::move(actors), options, &metrics, std::move(result));
}

} // namespace streams::actors
