#pragma once

// Where a source or transform actor's outputs wait for credit: one lane per instance of each
// next step. A message goes to the instance its source partition maps to (or, for a keyed
// step, its key), so each partition's (key's) messages take one path and keep their order
// however many instances a step runs.

#include "messages.hpp"

#include <caf/fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace streams::actors {

class outbox {
public:
  /// `w.downstream[port]` holds the instances of the step on that port, each with `credit`;
  /// `w.downstream_keys[port]`, when set, routes by key instead of by partition. Batches hold
  /// up to `max_batch` messages, or the port's `w.downstream_max_batch` when less. Batches to
  /// instances on another node than `self`'s go encoded by `codec` (the plan made sure there
  /// is one).
  void wire(caf::event_based_actor* self, const wiring& w, std::size_t credit,
            std::size_t max_batch, const payload_codec* codec);

  void put(std::size_t port, message&& m);
  /// All of `b` (a whole batch passed on without copying when the port has one lane).
  void put(std::size_t port, batch&& b);
  /// False once some lane holds max_batch messages: stop producing until they are sent.
  bool room() const { return !full_; }
  bool empty() const;
  /// The least credit of any lane of port 0: how many messages a source may take now
  /// whatever instances they go to.
  std::size_t least_credit() const;
  /// Sends what credit allows, in batches of up to max_batch; true when anything was sent.
  bool flush(caf::event_based_actor* self);
  /// `from` (an instance on `port`) grants `n` more messages.
  void grant(std::size_t port, const caf::strong_actor_ptr& from, std::uint64_t n);
  void send_eos(caf::event_based_actor* self, bool exhausted);

private:
  /// What waits for one instance: batches of up to max_batch, filled at the back and sent
  /// from the front, so that a burst (a reduce step firing a window of every key) neither
  /// reallocates nor moves what it queued.
  struct lane {
    caf::actor to;
    bool remote = false;       ///< on another node: batches go encoded
    std::deque<batch> waiting; ///< the front one from `head` on: what was sent is moved from
    std::size_t queued = 0;    ///< messages waiting
    std::size_t credit = 0;
    std::size_t max_batch = 0; ///< the most messages sent at once
    std::size_t head = 0;
    std::size_t size() const { return queued; }
  };
  std::vector<std::vector<lane>> ports_;
  std::vector<std::function<std::string(const message&)>> keys_;
  const payload_codec* codec_ = nullptr;
  bool full_ = false; // some lane holds its max_batch (checked per message, so kept up to date)
};

/// The other side of credit: counts what a step consumed per sender and returns it to them.
class credit_owed {
public:
  void add(const caf::actor& sender, std::uint64_t n);
  std::uint64_t total() const;
  /// Grants each sender what it is owed, as input on `port`.
  void pay(caf::event_based_actor* self, std::uint32_t port);

private:
  std::vector<std::pair<caf::actor, std::uint64_t>> owed_;
};

} // namespace streams::actors
