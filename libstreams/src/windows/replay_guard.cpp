#include "streams/windows/replay_guard.hpp"

#include "state_keys.hpp"

#include "streams/state/codec.hpp"
#include "streams/state/state_store.hpp"

#include <tuple>

namespace streams {

std::string replay_guard::key(std::size_t instances, std::size_t instance, partition_id p) const {
  auto k = state_keys::prefix(step_, 'm');
  state_keys::put_u32(k, static_cast<std::uint32_t>(instances));
  state_keys::put_u32(k, static_cast<std::uint32_t>(instance));
  state_keys::put_u32(k, p.first);
  state_keys::put_u32(k, static_cast<std::uint32_t>(p.second));
  return k;
}

void replay_guard::load(const state_store& store) {
  auto prefix = state_keys::prefix(step_, 'm');
  store.scan(prefix, [&](std::string_view k, std::string_view v) {
    k.remove_prefix(prefix.size());
    auto n = state_keys::get_u32(k);
    auto i = state_keys::get_u32(k);
    auto source = state_keys::get_u32(k);
    auto partition = static_cast<std::int32_t>(state_keys::get_u32(k));
    mark mk;
    codec::decode(v, mk.offset);
    codec::decode(v, mk.pieces);
    codec::decode(v, mk.emitted_to);
    partition_id p{source, partition};
    earlier_[{n, i}][p] = mk;
    if (n != instances_ || i != instance_)
      return;
    // This instance goes on where it (or the process it took over from) stopped.
    auto& own = own_[p];
    if (std::tie(mk.offset, mk.pieces) > std::tie(own.offset, own.pieces))
      own = {mk.offset, mk.pieces, 0, none};
  });
}

bool replay_guard::catch_up(state_store& store) {
  auto caught_up = store.catch_up();
  if (caught_up == caught_up_)
    return false;
  caught_up_ = caught_up;
  load(store);
  return true;
}

bool replay_guard::meets_new_partition(const lineage& l) {
  bool met = false;
  for (auto& o : l.origins()) {
    partition_id p{o.source, o.partition};
    if (last_met_ != p)
      met = meets_new_partition(p) || met;
  }
  return met;
}

bool replay_guard::meets_new_partition(partition_id p) {
  last_met_ = p;
  return met_.insert(p).second;
}

void replay_guard::forget(std::uint32_t source, const std::vector<std::int32_t>& partitions,
                          bool settled) {
  for (auto partition : partitions) {
    met_.erase({source, partition});
    if (auto own = own_.find({source, partition}); settled && own != own_.end())
      own->second.weight = origin::full_weight;
  }
  last_met_.reset();
}

bool replay_guard::seen(const lineage& l, std::uint64_t key_hash) {
  if ((earlier_.empty() && own_.empty()) || l.empty())
    return false;
  for (auto& o : l.origins()) {
    // Offsets come in order, unless a rebalance gave the partition back from its committed
    // position: what this instance folded since is met again. (Of the last offset folded,
    // more pieces may come, unless it had all of them or the partition was revoked settled.)
    auto own = own_.find({o.source, o.partition});
    bool folded =
        own != own_.end()
        && (o.offset < own->second.offset
            || (o.offset == own->second.offset && own->second.weight >= origin::full_weight));
    for (auto run_marks = earlier_.begin(); !folded && run_marks != earlier_.end(); ++run_marks) {
      auto& [run, m] = *run_marks;
      if (key_hash % run.first != run.second)
        continue; // this key belonged to another instance of that run
      auto it = m.find({o.source, o.partition});
      if (it == m.end())
        continue;
      auto& mk = it->second;
      if (o.offset < mk.offset) {
        folded = true;
      } else if (o.offset == mk.offset) {
        auto& r = replayed_[{run.first, run.second, o.source, o.partition}];
        if (r.offset != o.offset)
          r = {o.offset, 0};
        folded = ++r.pieces <= mk.pieces;
      }
    }
    if (!folded)
      return false;
  }
  return true;
}

void replay_guard::fold(const lineage& l) {
  for (auto& o : l.origins()) {
    auto& mk = own_[{o.source, o.partition}];
    if (o.offset > mk.offset) {
      mk = {o.offset, 1, o.weight};
    } else if (o.offset == mk.offset) {
      ++mk.pieces;
      mk.weight += o.weight;
    }
  }
}

void replay_guard::save(write_batch& batch, std::int64_t emitted_to) {
  // Only the partitions this instance consumes now: those that went to another process are
  // that process's to write (`forget`). Their window ends are written even when nothing of
  // them was folded since, as their keys' windows were emitted all the same.
  for (auto& p : met_) {
    auto& mk = own_[p];
    std::string v;
    codec::encode(v, mk.offset);
    codec::encode(v, mk.pieces);
    codec::encode(v, emitted_to);
    batch.put(key(instances_, instance_, p), std::move(v));
  }
}

std::int64_t replay_guard::emitted_to(partition_id p, std::uint64_t key_hash) const {
  auto end = none;
  for (auto& [run, marks] : earlier_) {
    if (key_hash % run.first != run.second)
      continue; // the key belonged to another instance of that run
    if (auto it = marks.find(p); it != marks.end())
      end = std::max(end, it->second.emitted_to);
  }
  return end;
}

} // namespace streams
