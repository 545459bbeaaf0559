#include "streams/windows/replay_guard.hpp"

#include "state_keys.hpp"

#include "streams/state/codec.hpp"
#include "streams/state/state_store.hpp"

namespace streams {

std::string replay_guard::key(std::size_t instances, std::size_t instance) const {
  auto k = state_keys::prefix(step_, 'm');
  state_keys::put_u32(k, static_cast<std::uint32_t>(instances));
  state_keys::put_u32(k, static_cast<std::uint32_t>(instance));
  return k;
}

void replay_guard::load(const state_store& store) {
  auto p = state_keys::prefix(step_, 'm');
  store.scan(p, [&](std::string_view k, std::string_view v) {
    k.remove_prefix(p.size());
    auto n = state_keys::get_u32(k);
    auto i = state_keys::get_u32(k);
    marks m;
    while (!v.empty()) {
      std::uint32_t source = 0;
      std::int32_t partition = 0;
      mark mk;
      codec::decode(v, source);
      codec::decode(v, partition);
      codec::decode(v, mk.offset);
      codec::decode(v, mk.pieces);
      m[{source, partition}] = mk;
    }
    if (n == instances_ && i == instance_)
      own_ = m; // this instance goes on where it stopped
    earlier_[{n, i}] = std::move(m);
  });
}

bool replay_guard::seen(const lineage& l, std::uint64_t key_hash) {
  if (earlier_.empty() || l.empty())
    return false;
  for (auto& o : l.origins()) {
    bool folded = false;
    for (auto& [run, m] : earlier_) {
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
      if (folded)
        break;
    }
    if (!folded)
      return false;
  }
  return true;
}

void replay_guard::fold(const lineage& l) {
  for (auto& o : l.origins()) {
    auto& mk = own_[{o.source, o.partition}];
    if (o.offset > mk.offset)
      mk = {o.offset, 1};
    else if (o.offset == mk.offset)
      ++mk.pieces;
  }
}

void replay_guard::save(write_batch& batch) const {
  std::string v;
  for (auto& [id, mk] : own_) {
    codec::encode(v, id.first);
    codec::encode(v, id.second);
    codec::encode(v, mk.offset);
    codec::encode(v, mk.pieces);
  }
  batch.put(key(instances_, instance_), std::move(v));
}

} // namespace streams
