// A sink step's actor (and the dead-letter actor): writes batches to its sink, hands the
// delivered messages' origins back to their sources, and grants its upstream instances credit
// while the sink's backlog of unreported messages stays within bounds.

#include "log.hpp"
#include "outbox.hpp"
#include "step_actors.hpp"

#include "streams/wire.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include <chrono>
#include <optional>

namespace streams::actors {

namespace {

struct sink_state;

class report_to_actor : public delivery_report {
public:
  explicit report_to_actor(sink_state& s) : s_(s) {}
  void delivered(const lineage& l) override;
  void failed(const lineage& l, const std::string& reason) override;
  void rejected(message m, const std::string& reason) override;

private:
  sink_state& s_;
};

struct sink_state {
  setup_ptr setup;
  wiring w;
  ack_buffer acks;
  report_to_actor report{*this};
  std::optional<error> failure; // why the pipeline must stop (the first reason met)
  struct invalid {
    message m;
    std::string reason;
  };
  std::vector<invalid> rejected; // refused for good by where the sink writes
  bool failed = false;
  std::size_t ended = 0; // end-of-streams received
  credit_owed owed;      // per upstream instance; withheld while the backlog is too large
  bool poll_scheduled = false;
  bool wakes = false; // the sink wakes this actor when reports arrive
  step_stats stats;

  static inline const char* name = "streams.sink";
};

void report_to_actor::delivered(const lineage& l) {
  s_.acks.add(l);
  ++s_.stats.messages_out;
  s_.setup->metrics->messages_out.add(1);
}

void report_to_actor::failed(const lineage&, const std::string& reason) {
  s_.setup->metrics->errors.add(1);
  if (!s_.failure)
    s_.failure = run_error(runtime_errc::connector_failed, reason);
}

void report_to_actor::rejected(message m, const std::string& reason) {
  ++s_.stats.invalid;
  if (!s_.w.dead_letters) // the dead-letter sink itself: nowhere further to go
    return failed(m.lineage(), reason);
  s_.rejected.push_back({std::move(m), reason});
}

using self_ptr = caf::stateful_actor<sink_state>*;

constexpr auto poll_interval = std::chrono::milliseconds(2);
constexpr auto woken_poll_interval = std::chrono::milliseconds(50); // a safety net

/// Sends acks, reports a failure, grants owed credit; false once the pipeline failed.
bool settle(self_ptr self) {
  auto& s = self->state;
  for (auto& r : s.rejected) {
    auto stop = handle_invalid(self, s.w, *s.setup, std::move(r.m), r.reason, s.acks);
    if (!stop.empty() && !s.failure)
      s.failure = run_error(runtime_errc::invalid_message, stop);
  }
  s.rejected.clear();
  s.acks.flush(self, s.w.sources);
  if (s.failure && !s.failed) {
    s.failed = true;
    report_failure(self, s.w, "sink '" + s.setup->name + "'", *s.failure);
  }
  if (s.failed)
    return false;
  auto& snk = *s.setup->snk;
  s.setup->metrics->in_flight.set(static_cast<std::int64_t>(snk.pending()));
  if (snk.pending() <= s.setup->options.sink_backlog)
    s.owed.pay(self, s.w.upstream_port);
  if (!s.poll_scheduled && (snk.pending() > 0 || s.owed.total() > 0)) {
    s.poll_scheduled = true;
    self->delayed_send(self, s.wakes ? woken_poll_interval : poll_interval, poll_atom::value);
  }
  return true;
}

template <class F>
void guarded(self_ptr self, F f) {
  auto& s = self->state;
  try {
    f();
  } catch (const std::exception& e) {
    if (!s.failure)
      s.failure = error_of(e, runtime_errc::connector_failed);
  }
}

/// Writes `b`; `from` (the upstream instance that sent it) is owed credit for it, unless it is
/// the dead-letter traffic, which takes none.
void write(self_ptr self, batch& b, const caf::actor* from) {
  auto& s = self->state;
  if (s.failed)
    return;
  auto n = b.size();
  auto& m = *s.setup->metrics;
  m.messages_in.add(n);
  m.bytes_in.add(payload_bytes(b));
  // End-to-end latency, sampled: the first message of each batch.
  if (n > 0 && b.front().timestamp() > 0)
    m.latency.observe(static_cast<double>(now_ms() - b.front().timestamp()) / 1000.0);
  s.stats.messages_in += n;
  s.stats.max_in_flight = std::max(s.stats.max_in_flight, n);
  guarded(self, [&] { s.setup->snk->write(b, s.report); });
  if (from)
    s.owed.add(*from, n);
  settle(self);
}

void serve_reports(self_ptr self) {
  auto& s = self->state;
  guarded(self, [&] { s.setup->snk->poll(s.report); });
  settle(self);
}

/// Every upstream has ended: deliver the rest, then tell the sources and the supervisor.
void finish(self_ptr self) {
  auto& s = self->state;
  guarded(self, [&] { s.setup->snk->flush(s.report); });
  if (!settle(self))
    return;
  if (s.w.dead_letters) // what this sink sent there is all it will send
    self->send(s.w.dead_letters, eos_atom::value, true);
  for (auto& src : s.w.sources)
    self->send(src, closed_atom::value);
  s.setup->metrics->ended = true;
  self->send(s.w.supervisor, done_atom::value, s.stats);
  self->quit();
}

caf::behavior sink_actor(self_ptr self, setup_ptr setup) {
  self->state.setup = std::move(setup);
  self->state.stats.name = self->state.setup->name;
  return {
      [=](wire_atom, wiring& w) {
        self->state.w = std::move(w);
        self->state.wakes = self->state.setup->snk->set_waker(waker_for(self));
        if (self->state.w.upstream_count == 0) // a dead-letter sink with nothing to feed it
          finish(self);
      },
      [=](batch_atom, batch& b) {
        auto from = caf::actor_cast<caf::actor>(self->current_sender());
        write(self, b, &from);
      },
      [=](batch_atom, std::string& wire) { // from another node
        auto& s = self->state;
        auto from = caf::actor_cast<caf::actor>(self->current_sender());
        batch b;
        try {
          b = decode_messages(wire, *s.setup->input_codec);
        } catch (const std::exception& e) {
          if (!s.failed) {
            s.failed = true;
            report_failure(
                self, s.w, "sink '" + s.setup->name + "'",
                run_error(runtime_errc::wire_corrupt,
                          std::string("a batch from another node cannot be read: ") + e.what()));
          }
          return;
        }
        write(self, b, &from);
      },
      [=](dead_atom, message& m) {
        batch b;
        b.push_back(std::move(m));
        write(self, b, nullptr);
      },
      [=](poll_atom) {
        self->state.poll_scheduled = false;
        serve_reports(self);
      },
      [=](wake_atom) { serve_reports(self); },
      [=](probe_atom) {
        auto& s = self->state;
        serve_reports(self); // error events too: a broker gone while nothing was pending
        s.setup->metrics->answered_ms.set(metrics::steady_ms());
        s.setup->metrics->set_not_ready(s.setup->snk->not_ready());
      },
      [=](eos_atom, bool) {
        auto& s = self->state;
        if (++s.ended == s.w.upstream_count && !s.failed)
          finish(self);
      },
  };
}

} // namespace

caf::actor spawn_sink(caf::actor_system& sys, setup_ptr setup) {
  return sys.spawn(sink_actor, std::move(setup));
}

} // namespace streams::actors
