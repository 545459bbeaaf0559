#include "outbox.hpp"

#include "streams/key_hash.hpp"
#include "streams/wire.hpp"

#include <caf/event_based_actor.hpp>

#include <algorithm>

namespace streams::actors {

void outbox::wire(caf::event_based_actor* self, const wiring& w, std::size_t credit,
                  std::size_t max_batch, const payload_codec* codec) {
  codec_ = codec;
  keys_ = w.downstream_keys;
  keys_.resize(w.downstream.size());
  ports_.assign(w.downstream.size(), {});
  for (std::size_t p = 0; p < w.downstream.size(); ++p) {
    auto most = max_batch;
    if (p < w.downstream_max_batch.size() && w.downstream_max_batch[p] > 0)
      most = std::min(most, w.downstream_max_batch[p]);
    for (auto& to : w.downstream[p])
      ports_[p].push_back(lane{to, to.node() != self->node(), {}, credit, most});
  }
}

void outbox::put(std::size_t port, message&& m) {
  auto& lanes = ports_[port];
  std::size_t i = 0;
  if (lanes.size() > 1 && keys_[port]) {
    i = key_hash(keys_[port](m)) % lanes.size();
  } else if (lanes.size() > 1) {
    // Partition p of source s goes to instance (p + s) mod N.
    auto origins = m.lineage().origins();
    if (!origins.empty())
      i = (static_cast<std::size_t>(std::max<std::int32_t>(0, origins.front().partition))
           + origins.front().source)
          % lanes.size();
  }
  auto& l = lanes[i];
  l.waiting.push_back(std::move(m));
  full_ = full_ || l.size() >= l.max_batch;
}

void outbox::put(std::size_t port, batch&& b) {
  auto& lanes = ports_[port];
  if (lanes.size() == 1 && lanes.front().size() == 0) {
    lanes.front().waiting = std::move(b);
    lanes.front().head = 0;
    full_ = full_ || lanes.front().size() >= lanes.front().max_batch;
    return;
  }
  for (auto& m : b)
    put(port, std::move(m));
}

bool outbox::empty() const {
  for (auto& lanes : ports_)
    for (auto& l : lanes)
      if (l.size() > 0)
        return false;
  return true;
}

std::size_t outbox::least_credit() const {
  std::size_t least = SIZE_MAX;
  for (auto& l : ports_.front())
    least = std::min(least, l.credit);
  return least;
}

bool outbox::flush(caf::event_based_actor* self) {
  bool sent = false;
  for (auto& lanes : ports_) {
    for (auto& l : lanes) {
      auto& w = l.waiting;
      while (l.credit > 0 && l.size() > 0) {
        auto n = std::min({l.credit, l.max_batch, l.size()});
        batch b;
        if (l.head == 0 && n == w.size()) {
          b.swap(w);
          w.reserve(l.max_batch);
        } else {
          // Sent from the front by moving `head` on: erasing each batch from the front moved
          // the whole backlog every time, quadratic in a burst (a reduce step firing a window
          // of every key emits tens of thousands at once).
          auto from = w.begin() + static_cast<std::ptrdiff_t>(l.head);
          b.assign(std::make_move_iterator(from),
                   std::make_move_iterator(from + static_cast<std::ptrdiff_t>(n)));
          l.head += n;
        }
        l.credit -= n;
        if (l.remote) {
          self->send(l.to, batch_atom::value, encode_messages(b, *codec_));
        } else {
          self->send(l.to, batch_atom::value, std::move(b));
        }
        sent = true;
      }
      if (l.size() == 0) {
        if (w.capacity() > 4 * l.max_batch) { // a burst's backlog: give its memory back
          batch fresh;
          fresh.reserve(l.max_batch);
          w.swap(fresh);
        } else {
          w.clear();
        }
        l.head = 0;
      } else if (l.head >= l.max_batch && l.head >= l.size()) {
        // Amortized: what is erased is at least as much as what is moved.
        w.erase(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(l.head));
        l.head = 0;
      }
    }
  }
  full_ = false;
  for (auto& lanes : ports_)
    for (auto& l : lanes)
      full_ = full_ || l.size() >= l.max_batch;
  return sent;
}

void outbox::grant(std::size_t port, const caf::strong_actor_ptr& from, std::uint64_t n) {
  auto* sender = caf::actor_cast<caf::abstract_actor*>(from);
  for (auto& l : ports_.at(port))
    if (caf::actor_cast<caf::abstract_actor*>(l.to) == sender) {
      l.credit += n;
      return;
    }
}

void outbox::send_eos(caf::event_based_actor* self, bool exhausted) {
  for (auto& lanes : ports_)
    for (auto& l : lanes)
      self->send(l.to, eos_atom::value, exhausted);
}

void credit_owed::add(const caf::actor& sender, std::uint64_t n) {
  for (auto& [who, count] : owed_)
    if (who == sender) {
      count += n;
      return;
    }
  owed_.emplace_back(sender, n);
}

std::uint64_t credit_owed::total() const {
  std::uint64_t n = 0;
  for (auto& entry : owed_)
    n += entry.second;
  return n;
}

void credit_owed::pay(caf::event_based_actor* self, std::uint32_t port) {
  for (auto& [who, count] : owed_)
    if (count > 0) {
      self->send(who, credit_atom::value, port, count);
      count = 0;
    }
}

} // namespace streams::actors
