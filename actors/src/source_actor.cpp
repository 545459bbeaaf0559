// A source step's actor: polls its source while it has credit (pausing the source when it
// has none), tracks every offset it hands out, and commits what its sinks report done.

#include "log.hpp"
#include "outbox.hpp"
#include "step_actors.hpp"

#include "streams/commit_tracker.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>

namespace streams::actors {

namespace {

struct source_state;

using self_ptr = caf::stateful_actor<source_state>*;

/// The runtime's side of a rebalance: called inside `source::poll`, so within the actor.
class tracker_context : public source_context {
public:
  explicit tracker_context(source_state& s) : s_(s) {}
  bool settled(const std::vector<std::int32_t>& partitions) override;
  std::vector<partition_offset> revoke(const std::vector<std::int32_t>& partitions) override;
  void assigned(const std::vector<std::int32_t>& partitions) override;
  void commit_answered(std::chrono::nanoseconds took) override;

private:
  /// Takes the messages of `partitions` held back for credit out of flight: they are not
  /// sent now, and their next owner consumes them.
  void drop_held(const std::vector<std::int32_t>& partitions);

  source_state& s_;
};

struct source_state {
  self_ptr self = nullptr;
  setup_ptr setup;
  wiring w;
  commit_tracker tracker;
  tracker_context ctx{*this};
  batch held; // taken from the source while paused, sent once credit comes
  outbox out;
  bool paused = false;
  bool wakes = false;                         // the source wakes this actor when messages are ready
  bool poll_queued = false;                   // a poll message without delay is on its way
  std::optional<clock::time_point> timer_due; // when the latest delayed poll comes
  bool ended = false;                         // end-of-stream sent downstream
  bool finished = false;
  std::size_t closed = 0; // sinks and stateful steps that have released all they will
  std::optional<clock::time_point> starved_since;     // without credit since
  std::map<std::int32_t, std::int64_t> committed;     // per partition, the last position committed
  std::optional<invalid_limit> limit;                 // when the source's on_invalid has limits
  std::map<std::int32_t, std::int64_t> first_offsets; // per partition, this run's first
  bool limit_passed = false; // acks are no longer taken: nothing past the limit is committed
  std::optional<clock::time_point> settling_since; // partitions being revoked wait since
  std::optional<clock::time_point> settle_asked;   // stateful steps last asked to checkpoint
  step_stats stats;

  static inline const char* name = "streams.source";
};

void schedule_poll(self_ptr self, std::chrono::milliseconds delay);

// While partitions being revoked settle, how often the source looks (polls) and asks its
// stateful steps to checkpoint again: what was on its way to them when they last did may
// have been folded since. A checkpoint is one LMDB transaction (and changelog append).
constexpr auto settle_poll = std::chrono::milliseconds(5);
constexpr auto settle_ask = std::chrono::milliseconds(20);

void tracker_context::drop_held(const std::vector<std::int32_t>& partitions) {
  auto revoked = [&](const message& m) {
    auto p = m.lineage().origins().front().partition;
    return std::find(partitions.begin(), partitions.end(), p) != partitions.end();
  };
  auto& held = s_.held;
  std::set<std::int32_t> taken_back;
  for (auto& m : held)
    if (revoked(m)) {
      // The partition's first held offset: those after it, held or not yet taken, come later.
      auto& o = m.lineage().origins().front();
      if (taken_back.insert(o.partition).second)
        s_.tracker.take_back(o.partition, o.offset);
    }
  held.erase(std::remove_if(held.begin(), held.end(), revoked), held.end());
}

bool tracker_context::settled(const std::vector<std::int32_t>& partitions) {
  drop_held(partitions);
  auto now = clock::now();
  if (s_.tracker.settled(partitions)) {
    s_.settling_since.reset();
    return true;
  }
  if (!s_.settling_since) {
    s_.settling_since = now;
  } else if (now - *s_.settling_since >= s_.setup->options.drain_timeout) {
    log().warn("source '{}': what the pipeline took of {} revoked partition(s) was not all "
               "delivered (or made durable by stateful steps) within the drain timeout ({} ms): "
               "the next owner consumes them from the last commit, and may process some "
               "messages again",
               s_.setup->name, partitions.size(), s_.setup->options.drain_timeout.count());
    s_.settling_since.reset();
    return true;
  }
  if (!s_.settle_asked || now - *s_.settle_asked >= settle_ask) {
    s_.settle_asked = now;
    for (auto& a : s_.w.stateful)
      s_.self->send(a, settle_atom::value);
  }
  schedule_poll(s_.self, settle_poll);
  return false;
}

std::vector<partition_offset> tracker_context::revoke(const std::vector<std::int32_t>& partitions) {
  drop_held(partitions);
  auto settled = s_.tracker.settled(partitions); // not after the drain timeout
  for (auto& a : s_.w.stateful)
    s_.self->send(a, revoked_atom::value, s_.setup->source_index, partitions, settled);
  return s_.tracker.revoke(partitions);
}

void tracker_context::assigned(const std::vector<std::int32_t>& partitions) {
  for (auto& a : s_.w.stateful)
    s_.self->send(a, assigned_atom::value, s_.setup->source_index, partitions);
}

void tracker_context::commit_answered(std::chrono::nanoseconds took) {
  s_.setup->metrics->commit_latency.observe(std::chrono::duration<double>(took).count());
}

constexpr auto idle_poll = std::chrono::milliseconds(1);
// A source that wakes its actor is still polled now and then: the Kafka source retries
// failed commits and starts a pause from inside poll.
constexpr auto woken_idle_poll = std::chrono::milliseconds(50);
constexpr auto paused_poll = std::chrono::milliseconds(50);

void fail(self_ptr self, const error& e) {
  auto& s = self->state;
  s.ended = true; // no more polling; the supervisor aborts the pipeline
  report_failure(self, s.w, "source '" + s.setup->name + "'", e);
}

void commit(self_ptr self) {
  auto& s = self->state;
  auto positions = s.tracker.take_commits();
  if (positions.empty())
    return;
  for (auto& p : positions)
    s.committed[p.partition] = p.offset;
  try {
    s.setup->src->commit(positions);
  } catch (const std::exception& e) {
    log().error("source '{}': commit failed, will retry: {}", s.setup->name, e.what());
  }
}

/// Polls now (after the messages already queued) or after `delay`. A delayed poll is not
/// armed again while one due no later is on its way: a source short of credit every few
/// milliseconds would otherwise load CAF's timer thread with hundreds of timers a second.
/// An extra poll costs next to nothing, so a timer overtaken by events still polls.
void schedule_poll(self_ptr self, std::chrono::milliseconds delay) {
  auto& s = self->state;
  if (s.ended)
    return;
  if (delay.count() == 0) {
    if (!s.poll_queued) {
      s.poll_queued = true;
      self->send(self, poll_atom::value, false);
    }
    return;
  }
  auto due = clock::now() + delay;
  if (s.timer_due && *s.timer_due <= due)
    return;
  s.timer_due = due;
  self->delayed_send(self, delay, poll_atom::value, true);
}

/// Commits what is done and releases the source (a consumer leaves its group).
void close_source(self_ptr self) {
  auto& s = self->state;
  s.finished = true;
  commit(self);
  try {
    s.setup->src->stop();
  } catch (const std::exception& e) {
    log().error("source '{}': stopping failed: {}", s.setup->name, e.what());
  }
}

void finish_if_done(self_ptr self) {
  auto& s = self->state;
  if (s.finished || !s.ended || s.closed < s.w.closers)
    return;
  close_source(self);
  s.stats.max_in_flight = std::max(s.stats.max_in_flight, s.tracker.in_flight());
  s.setup->metrics->ended = true;
  self->send(s.w.supervisor, done_atom::value, s.stats);
  self->quit();
}

/// `exhausted`: the source has no more input at all, rather than being stopped.
void end_input(self_ptr self, bool exhausted) {
  auto& s = self->state;
  if (s.ended)
    return;
  s.ended = true;
  s.out.send_eos(self, exhausted);
  finish_if_done(self);
}

/// Takes what the source has ready (at most `max`), stamped and tracked.
batch take(self_ptr self, std::size_t max) {
  auto& s = self->state;
  auto b = s.setup->src->poll(max);
  std::optional<std::int32_t> partition; // of the message before: runs of one are common
  for (auto& m : b) {
    m.lineage().set_source(s.setup->source_index);
    auto& o = m.lineage().origins().front();
    s.tracker.track(o.partition, o.offset);
    if (o.partition != partition)
      s.first_offsets.emplace(o.partition, o.offset);
    partition = o.partition;
  }
  s.stats.max_in_flight = std::max(s.stats.max_in_flight, s.tracker.in_flight());
  return b;
}

/// Sends `b` on: it is no larger than any lane's credit, so all of it goes now.
void send_downstream(self_ptr self, batch b) {
  auto& s = self->state;
  s.stats.messages_out += b.size();
  auto& m = *s.setup->metrics;
  m.messages_out.add(b.size());
  m.bytes_out.add(payload_bytes(b));
  m.in_flight.set(static_cast<std::int64_t>(s.tracker.in_flight()));
  s.out.put(0, std::move(b));
  s.out.flush(self);
}

/// Answers the supervisor's probe: the actor is alive; how ready the source is, and where
/// its partitions stand.
void probe(self_ptr self) {
  auto& s = self->state;
  auto& m = *s.setup->metrics;
  m.answered_ms.set(metrics::steady_ms());
  if (s.finished)
    return;
  auto& src = *s.setup->src;
  m.set_not_ready(src.not_ready());
  std::vector<metrics::partition_position> positions;
  // Before its first commit in this run, a partition's lag counts from where the run
  // resumed it: its first offset handed out is the position committed when the run began.
  auto known = [&](std::int32_t partition) -> std::pair<std::int64_t, std::int64_t> {
    if (auto c = s.committed.find(partition); c != s.committed.end())
      return {c->second, c->second};
    if (auto f = s.first_offsets.find(partition); f != s.first_offsets.end())
      return {-1, f->second};
    return {-1, -1};
  };
  for (auto& end : src.log_ends()) {
    auto [committed, from] = known(end.partition);
    positions.push_back({end.partition, committed, from, end.offset});
  }
  m.set_partitions(std::move(positions));
  m.in_flight.set(static_cast<std::int64_t>(s.tracker.in_flight()));
}

void poll(self_ptr self) {
  auto& s = self->state;
  if (s.ended || s.finished)
    return;
  auto& src = *s.setup->src;
  auto max = s.setup->options.max_batch;
  try {
    auto credit = s.out.least_credit();
    if (credit == 0 && !s.starved_since)
      s.starved_since = clock::now();
    else if (credit > 0 && s.starved_since) {
      s.setup->metrics->backpressure_ns.add(static_cast<std::uint64_t>(
          std::chrono::nanoseconds(clock::now() - *s.starved_since).count()));
      s.starved_since.reset();
    }
    if (credit == 0) {
      if (!s.paused) {
        src.pause();
        s.paused = true;
      }
      // Polling goes on while paused: a consumer group needs it to stay alive and to serve
      // rebalances. A source that cannot pause may still return messages: hold one batch, and
      // with one held ask for none (a revocation under way still settles).
      if (s.held.empty())
        s.held = take(self, max);
      else
        take(self, 0);
      schedule_poll(self, paused_poll);
      return;
    }
    if (s.paused) {
      src.resume();
      s.paused = false;
    }
    batch b;
    if (!s.held.empty()) {
      auto n = std::min(credit, s.held.size());
      b.assign(std::make_move_iterator(s.held.begin()),
               std::make_move_iterator(s.held.begin() + n));
      s.held.erase(s.held.begin(), s.held.begin() + n);
    } else {
      b = take(self, std::min(credit, max));
    }
    auto n = b.size();
    if (n > 0)
      send_downstream(self, std::move(b));
    if (s.held.empty() && src.exhausted()) {
      end_input(self, true);
      return;
    }
    schedule_poll(self, n > 0     ? std::chrono::milliseconds(0)
                        : s.wakes ? woken_idle_poll
                                  : idle_poll);
  } catch (const std::exception& e) {
    fail(self, error_of(e, runtime_errc::connector_failed));
  }
}

caf::behavior source_actor(self_ptr self, setup_ptr setup) {
  self->state.self = self;
  self->state.setup = std::move(setup);
  self->state.stats.name = self->state.setup->name;
  return {
      [=](wire_atom, wiring& w) {
        auto& s = self->state;
        s.w = std::move(w);
        auto& policy = s.w.on_invalid;
        if (policy.max_invalid_ratio || policy.max_consecutive_count)
          s.limit.emplace(policy);
        s.out.wire(self, s.w, s.setup->options.credit, s.setup->options.max_batch,
                   s.setup->output_codec);
      },
      [=](start_atom) {
        auto& s = self->state;
        try {
          s.wakes = s.setup->src->set_waker(waker_for(self));
          s.setup->src->start(s.ctx);
        } catch (const std::exception& e) {
          return fail(self, error_of(e, runtime_errc::connector_failed));
        }
        self->delayed_send(self, s.setup->options.commit_interval, commit_atom::value);
        schedule_poll(self, std::chrono::milliseconds(0));
      },
      [=](poll_atom, bool timer) {
        auto& s = self->state;
        if (!timer)
          s.poll_queued = false;
        else if (s.timer_due && clock::now() >= *s.timer_due)
          s.timer_due.reset();
        if (timer && s.poll_queued)
          return; // the queued poll comes next anyway
        poll(self);
      },
      [=](wake_atom) {
        if (self->state.out.least_credit() > 0) // without credit, credit's arrival polls
          schedule_poll(self, std::chrono::milliseconds(0));
      },
      [=](credit_atom, std::uint32_t port, std::uint64_t n) {
        self->state.out.grant(port, self->current_sender(), n);
        schedule_poll(self, std::chrono::milliseconds(0));
      },
      [=](ack_atom, done_ranges& done) {
        if (self->state.limit_passed)
          return;
        for (auto& r : done)
          self->state.tracker.done(r);
      },
      [=](invalid_atom, origins& invalid) {
        auto& s = self->state;
        if (!s.limit || s.limit_passed)
          return;
        for (auto& o : invalid) {
          auto error = s.limit->record(o.partition, s.first_offsets[o.partition], o.offset);
          if (!error.empty()) {
            s.limit_passed = true;
            return fail(self, run_error(runtime_errc::dead_letter_limit,
                                        "too many invalid messages, " + error
                                            + " (dead-letter limit; nothing is committed past "
                                              "the message at offset "
                                            + std::to_string(o.offset) + ")"));
          }
        }
      },
      [=](commit_atom) {
        auto& s = self->state;
        if (s.finished)
          return;
        commit(self);
        self->delayed_send(self, s.setup->options.commit_interval, commit_atom::value);
      },
      [=](stop_atom) { end_input(self, false); },
      [=](closed_atom) {
        ++self->state.closed;
        finish_if_done(self);
      },
      [=](abort_atom) {
        if (!self->state.finished)
          close_source(self); // commits only what is done: safe whatever failed
        self->state.setup->metrics->ended = true;
        self->quit();
      },
      [=](probe_atom) { probe(self); },
  };
}

} // namespace

caf::actor spawn_source(caf::actor_system& sys, setup_ptr setup) {
  return sys.spawn(source_actor, std::move(setup));
}

} // namespace streams::actors
