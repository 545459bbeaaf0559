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
      ports_[p].push_back(lane{to, to.node() != self->node(), {}, 0, credit, most});
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
  if (l.waiting.empty() || l.waiting.back().size() >= l.max_batch) {
    l.waiting.emplace_back();
    l.waiting.back().reserve(l.max_batch);
  }
  l.waiting.back().push_back(std::move(m));
  ++l.queued;
  full_ = full_ || l.queued >= l.max_batch;
}

void outbox::put(std::size_t port, batch&& b) {
  auto& lanes = ports_[port];
  if (lanes.size() == 1 && lanes.front().size() == 0 && !b.empty()) {
    auto& l = lanes.front();
    l.waiting.clear();
    l.head = 0;
    l.queued = b.size();
    l.waiting.push_back(std::move(b));
    full_ = full_ || l.queued >= l.max_batch;
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
      while (l.credit > 0 && l.queued > 0) {
        auto& front = l.waiting.front();
        auto n = std::min({l.credit, l.max_batch, front.size() - l.head});
        batch b;
        if (l.head == 0 && n == front.size()) {
          b.swap(front);
        } else {
          auto from = front.begin() + static_cast<std::ptrdiff_t>(l.head);
          b.assign(std::make_move_iterator(from),
                   std::make_move_iterator(from + static_cast<std::ptrdiff_t>(n)));
          l.head += n;
        }
        if (l.head == front.size()) { // all of it sent (swapped out, or moved from)
          l.waiting.pop_front();
          l.head = 0;
        }
        l.credit -= n;
        l.queued -= n;
        if (l.remote) {
          self->send(l.to, batch_atom::value, encode_messages(b, *codec_));
        } else {
          self->send(l.to, batch_atom::value, std::move(b));
        }
        sent = true;
      }
    }
  }
  full_ = false;
  for (auto& lanes : ports_)
    for (auto& l : lanes)
      full_ = full_ || l.queued >= l.max_batch;
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
