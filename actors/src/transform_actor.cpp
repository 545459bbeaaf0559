// A transform step's actor (one per instance of the step): takes batches from its upstream
// instances against credit, runs the step's operator on each message, and sends the outputs
// on under the credit of each instance of the next steps.
//
// A stateful step's actor also checkpoints its operator on the commit cadence (which releases
// the inputs folded into durable state) and, like a source, tracks the delivery of the outputs
// it emits under origins of its own, so that the operator can forget them once delivered.

#include "log.hpp"
#include "outbox.hpp"
#include "step_actors.hpp"

#include "streams/error.hpp"
#include "streams/wire.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include <algorithm>
#include <deque>

namespace streams::actors {

namespace {

struct transform_state;

/// Collects a step's outputs per port and its drops for acknowledgement.
class port_emitter : public emitter {
public:
  explicit port_emitter(transform_state& s) : s_(s) {}
  void emit(std::size_t port, message&& m) override;
  void drop(message&& m) override;
  void release(origin_ranges&& r) override;
  void emit_tracked(std::size_t port, message&& m, std::uint64_t id) override;
  void reject(message&& m, const std::string& reason) override;

private:
  transform_state& s_;
};

struct transform_state {
  setup_ptr setup;
  wiring w;
  struct input {
    batch messages;
    caf::actor from; // the upstream instance to grant credit for them
  };
  std::deque<input> inbox;
  std::size_t cursor = 0; // next message of inbox.front()
  std::size_t queued = 0; // received and not yet consumed: bounded by the upstreams' credit
  credit_owed consumed;   // per upstream instance, granted back after each pump
  outbox out;
  ack_buffer acks;
  struct invalid {
    message m;
    std::string reason;
  };
  std::vector<invalid> rejected; // invalid messages, handled as their source's on_invalid says
  std::size_t upstreams_ended = 0;
  bool all_exhausted = true; // every upstream ended for want of input, none was stopped
  bool stateful = false;
  /// Stateful steps: the weight returned so far for each output emitted under its own origin,
  /// by id from `first_unacked` on (ids grow, and outputs are mostly delivered in order, so
  /// the delivered ones leave from the front; an id never emitted counts as delivered).
  std::deque<std::uint64_t> unacked;
  std::uint64_t first_unacked = 0;
  std::size_t closed_sinks = 0; // stateful steps: sinks (and stateful steps) that have closed
  bool eos_sent = false;
  bool pump_queued = false; // a pump message is on its way (a slice ended with work left)
  bool closed = false;
  bool failed = false;
  std::optional<clock::time_point> tick_at;
  std::optional<clock::time_point> starved_since; // input waiting, outputs without credit since
  std::deque<clock::time_point> restarts;
  step_stats stats;
  port_emitter em{*this};

  static inline const char* name = "streams.transform";
};

void port_emitter::emit(std::size_t port, message&& m) {
  auto& metrics = *s_.setup->metrics;
  metrics.messages_out.add(1);
  metrics.bytes_out.add(payload_bytes(m));
  s_.out.put(port, std::move(m));
  ++s_.stats.messages_out;
}

void port_emitter::drop(message&& m) {
  s_.acks.add(m.lineage());
  ++s_.stats.dropped;
  s_.setup->metrics->dropped.add(1);
}

void port_emitter::release(origin_ranges&& r) { s_.acks.add(r); }

void port_emitter::emit_tracked(std::size_t port, message&& m, std::uint64_t id) {
  auto index = s_.setup->source_index;
  m.set_lineage(lineage(
      origin{index, s_.setup->output_run, static_cast<std::int64_t>(id), origin::full_weight}));
  if (s_.unacked.empty())
    s_.first_unacked = id;
  while (s_.first_unacked + s_.unacked.size() < id)
    s_.unacked.push_back(origin::full_weight);
  s_.unacked.push_back(0);
  emit(port, std::move(m));
}

void port_emitter::reject(message&& m, const std::string& reason) {
  ++s_.stats.invalid;
  s_.setup->metrics->errors.add(1);
  s_.rejected.push_back({std::move(m), reason});
}

using self_ptr = caf::stateful_actor<transform_state>*;

void fail(self_ptr self, const error& e) {
  auto& s = self->state;
  s.failed = true;
  report_failure(self, s.w, "step '" + s.setup->name + "'", e);
}

/// A user function threw: restart the operator, unless it has failed too often lately.
bool restart(self_ptr self, const std::string& what) {
  auto& s = self->state;
  auto& o = s.setup->options;
  auto now = clock::now();
  while (!s.restarts.empty() && now - s.restarts.front() > o.restart_window)
    s.restarts.pop_front();
  if (s.restarts.size() >= o.max_restarts) {
    fail(self,
         run_error(runtime_errc::restart_limit,
                   "failed " + std::to_string(s.restarts.size() + 1) + " times within "
                       + std::to_string(o.restart_window.count()) + " ms, last error: " + what));
    return false;
  }
  if (s.stateful) {
    // A new operator would restore the last checkpoint and lose what was folded since, whose
    // offsets are held uncommitted: stop, and let a restarted pipeline replay them.
    fail(self, run_error(runtime_errc::step_failed,
                         what
                             + " (a stateful step is not restarted in place: restart the "
                               "pipeline, which restores its state and replays what came after)"));
    return false;
  }
  s.restarts.push_back(now);
  ++s.stats.restarts;
  s.setup->metrics->restarts.add(1);
  s.setup->metrics->errors.add(1);
  log().warn("step '{}' threw ({}); restarting it ({} of {} allowed)", s.setup->name, what,
             s.restarts.size(), o.max_restarts);
  try {
    s.setup->op = s.setup->make_operator();
  } catch (const std::exception& e) {
    fail(self,
         run_error(runtime_errc::step_failed, std::string("could not be restarted: ") + e.what()));
    return false;
  }
  return true;
}

/// Runs `f` (one call into the operator), handling what it throws; false when the step failed.
template <class F>
bool guarded(self_ptr self, message* m, F f) {
  auto& s = self->state;
  for (;;) {
    std::string what;
    try {
      f();
      return true;
    } catch (const invalid_message& e) {
      if (!m)
        return fail(self, run_error(runtime_errc::step_failed, e.what())), false;
      s.em.reject(std::move(*m), e.what());
      return true;
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
      what = "unknown exception";
    }
    if (!m) // ticks and close hold state a restart would lose: fail instead
      return fail(self, run_error(runtime_errc::step_failed, what)), false;
    if (!restart(self, what))
      return false;
  }
}

void schedule_tick(self_ptr self) {
  auto& s = self->state;
  auto deadline = s.setup->op->next_deadline();
  if (!deadline || (s.tick_at && *s.tick_at <= *deadline))
    return;
  s.tick_at = deadline;
  auto delay = std::max(clock::duration::zero(), *deadline - clock::now());
  self->delayed_send(self, delay, tick_atom::value);
}

/// Handles what the operator rejected; false when that stops the pipeline.
bool handle_rejected(self_ptr self) {
  auto& s = self->state;
  auto rejected = std::move(s.rejected);
  s.rejected.clear();
  for (auto& r : rejected) {
    auto error = handle_invalid(self, s.w, *s.setup, std::move(r.m), r.reason, s.acks);
    if (!error.empty()) {
      fail(self, run_error(runtime_errc::invalid_message, error));
      return false;
    }
  }
  return true;
}

/// Stateful steps: makes the state durable and releases the inputs it covers.
bool checkpoint(self_ptr self) {
  auto& s = self->state;
  if (!guarded(self, nullptr, [&] { s.setup->op->checkpoint(s.em); }))
    return false;
  s.acks.flush(self, s.w.sources);
  return true;
}

void finish_if_done(self_ptr self) {
  auto& s = self->state;
  if (s.failed || s.upstreams_ended < s.w.upstream_count || !s.inbox.empty())
    return;
  if (!s.closed) {
    s.closed = true;
    auto why = s.all_exhausted ? close_reason::exhausted : close_reason::stopped;
    guarded(self, nullptr, [&] { s.setup->op->on_close(s.em, why); });
    s.out.flush(self);
    if (!handle_rejected(self))
      return;
  }
  // The rest of what the end of the input completes, as fast as the next steps take it.
  while (!s.failed && s.out.empty() && s.setup->op->close_pending()) {
    if (!guarded(self, nullptr, [&] { s.setup->op->close_more(s.em); }))
      return;
    s.out.flush(self);
    if (!handle_rejected(self))
      return;
  }
  if (s.failed || !s.out.empty())
    return; // failed, or waiting for credit
  if (!s.eos_sent) {
    s.eos_sent = true;
    s.acks.flush(self, s.w.sources);
    s.out.send_eos(self, s.all_exhausted);
    self->send(s.w.dead_letters, eos_atom::value, s.all_exhausted);
  }
  // A stateful step's last checkpoint waits until its outputs are delivered: they need not be
  // stored then (at the end of a finite input, every open window comes out at once), and it
  // forgets those stored before. Until it, the inputs it folded are held, and so the sources
  // (and stateful steps) upstream wait for its `closed`.
  if (s.stateful) {
    if (s.closed_sinks < s.w.closers || !checkpoint(self))
      return;
    for (auto& to : s.w.closes_to)
      self->send(to, closed_atom::value);
  }
  s.setup->metrics->ended = true;
  self->send(s.w.supervisor, done_atom::value, s.stats);
  self->quit();
}

// How long one pump processes before it sends its outputs on and lets the actor's other
// messages in: a slow user function would otherwise hold up to max_batch outputs (seconds
// of them) and the actor itself. Checked every few messages, as reading the clock costs.
constexpr auto pump_slice = std::chrono::milliseconds(5);
constexpr std::size_t clock_check_every = 16;

/// Updates the metrics a pump changes: the processing time per message, what is queued, and
/// how long input has waited for credit downstream.
void record_pump(transform_state& s, clock::time_point started, std::size_t consumed) {
  auto& m = *s.setup->metrics;
  auto now = clock::now();
  if (consumed > 0)
    m.duration.observe(std::chrono::duration<double>(now - started).count()
                       / static_cast<double>(consumed));
  m.in_flight.set(static_cast<std::int64_t>(s.queued));
  bool starved = !s.inbox.empty() && !s.out.room();
  if (starved && !s.starved_since) {
    s.starved_since = now;
  } else if (!starved && s.starved_since) {
    m.backpressure_ns.add(
        static_cast<std::uint64_t>(std::chrono::nanoseconds(now - *s.starved_since).count()));
    s.starved_since.reset();
  }
}

/// Processes queued input while there is room downstream, sends what credit allows, and
/// grants each upstream instance credit for what was consumed of its batches. After `pump_slice` it
/// sends what it has and continues in a later message.
void pump(self_ptr self) {
  auto& s = self->state;
  std::size_t consumed = 0;
  std::size_t from_front = 0; // consumed of inbox.front(), not yet counted as owed
  auto started = clock::now();
  bool slice_over = false;
  for (;;) {
    while (!s.failed && !s.inbox.empty() && s.out.room()) {
      auto& in = s.inbox.front();
      auto& m = in.messages[s.cursor];
      if (!guarded(self, &m, [&] { s.setup->op->process(m, s.em); })
          || (!s.rejected.empty() && !handle_rejected(self)))
        return;
      ++consumed;
      ++from_front;
      if (++s.cursor == in.messages.size()) {
        s.consumed.add(in.from, from_front);
        from_front = 0;
        s.inbox.pop_front();
        s.cursor = 0;
      }
      if (consumed % clock_check_every == 0 && clock::now() - started >= pump_slice) {
        slice_over = true;
        break;
      }
    }
    if (!s.out.flush(self) || s.inbox.empty() || slice_over)
      break;
  }
  if (slice_over && !s.inbox.empty() && s.out.room() && !s.pump_queued) {
    s.pump_queued = true;
    self->send(self, pump_atom::value);
  }
  if (from_front > 0)
    s.consumed.add(s.inbox.front().from, from_front);
  s.queued -= consumed;
  record_pump(s, started, consumed);
  s.consumed.pay(self, s.w.upstream_port);
  if (!handle_rejected(self))
    return;
  s.acks.flush(self, s.w.sources);
  schedule_tick(self);
  finish_if_done(self);
}

/// A batch from an upstream instance, which is owed credit for it once it is consumed.
void receive(self_ptr self, batch&& b) {
  auto& s = self->state;
  s.stats.messages_in += b.size();
  s.setup->metrics->messages_in.add(b.size());
  s.setup->metrics->bytes_in.add(payload_bytes(b));
  s.queued += b.size();
  s.stats.max_in_flight = std::max(s.stats.max_in_flight, s.queued);
  s.inbox.push_back({std::move(b), caf::actor_cast<caf::actor>(self->current_sender())});
  pump(self);
}

caf::behavior transform_actor(self_ptr self, setup_ptr setup) {
  self->state.setup = std::move(setup);
  self->state.stats.name = self->state.setup->name;
  self->state.stateful = self->state.setup->op->stateful();
  return {
      [=](wire_atom, wiring& w) {
        auto& s = self->state;
        s.w = std::move(w);
        s.out.wire(self, s.w, s.setup->options.credit, s.setup->options.max_batch,
                   s.setup->output_codec);
        if (s.stateful) {
          self->delayed_send(self, s.setup->options.commit_interval, checkpoint_atom::value);
          schedule_tick(self); // outputs restored from state go out again
        }
      },
      [=](batch_atom, batch& b) { receive(self, std::move(b)); },
      [=](batch_atom, std::string& wire) { // from another node
        auto& s = self->state;
        if (s.failed)
          return;
        try {
          receive(self, decode_messages(wire, *s.setup->input_codec));
        } catch (const std::exception& e) {
          fail(self,
               run_error(runtime_errc::wire_corrupt,
                         std::string("a batch from another node cannot be read: ") + e.what()));
        }
      },
      [=](credit_atom, std::uint32_t port, std::uint64_t n) {
        self->state.out.grant(port, self->current_sender(), n);
        pump(self);
      },
      [=](pump_atom) {
        self->state.pump_queued = false;
        pump(self);
      },
      [=](tick_atom) {
        auto& s = self->state;
        s.tick_at.reset();
        if (!s.failed && guarded(self, nullptr, [&] { s.setup->op->on_tick(clock::now(), s.em); })
            && handle_rejected(self))
          pump(self);
      },
      [=](eos_atom, bool exhausted) {
        auto& s = self->state;
        ++s.upstreams_ended;
        s.all_exhausted = s.all_exhausted && exhausted;
        pump(self);
      },
      [=](checkpoint_atom) {
        auto& s = self->state;
        if (s.failed || s.closed)
          return;
        if (checkpoint(self))
          self->delayed_send(self, s.setup->options.commit_interval, checkpoint_atom::value);
      },
      [=](settle_atom) {
        auto& s = self->state;
        if (!s.failed && !s.closed)
          checkpoint(self);
      },
      [=](revoked_atom, std::uint32_t source, std::vector<std::int32_t>& partitions, bool settled) {
        // Checkpointed first: what changed since the partitions settled (windows fired, panes
        // gone) is written before the step lets their keys go.
        auto& s = self->state;
        if (!s.failed && (s.closed || checkpoint(self)))
          guarded(self, nullptr, [&] { s.setup->op->revoked(source, partitions, settled); });
      },
      [=](assigned_atom, std::uint32_t source, std::vector<std::int32_t>& partitions) {
        auto& s = self->state;
        if (!s.failed && guarded(self, nullptr, [&] { s.setup->op->assigned(source, partitions); }))
          pump(self); // windows of restored keys may be due
      },
      [=](ack_atom, done_ranges& done) {
        auto& s = self->state;
        auto first = static_cast<std::int64_t>(s.first_unacked);
        auto end = first + static_cast<std::int64_t>(s.unacked.size());
        for (auto& r : done)
          for (auto id = std::max(r.first, first); id < std::min(r.end(), end); ++id) {
            auto& weight = s.unacked[static_cast<std::size_t>(id - first)];
            if (weight >= origin::full_weight || (weight += r.weight) < origin::full_weight)
              continue;
            guarded(self, nullptr, [&] { s.setup->op->delivered(static_cast<std::uint64_t>(id)); });
          }
        while (!s.unacked.empty() && s.unacked.front() >= origin::full_weight) {
          s.unacked.pop_front();
          ++s.first_unacked;
        }
      },
      [=](closed_atom) {
        ++self->state.closed_sinks;
        finish_if_done(self);
      },
      [=](probe_atom) { self->state.setup->metrics->answered_ms.set(metrics::steady_ms()); },
  };
}

} // namespace

caf::actor spawn_transform(caf::actor_system& sys, setup_ptr setup) {
  return sys.spawn(transform_actor, std::move(setup));
}

} // namespace streams::actors
