#include "streams/state/pending_outputs.hpp"

#include "streams/state/state_store.hpp"

#include <string_view>
#include <unordered_map>

namespace streams {

std::uint64_t pending_outputs::add(std::string record, std::string saved, bool stored, bool first) {
  if (!first)
    ++repeats_;
  entries_.push_back({std::move(record), std::move(saved), stored, true});
  return next_id_++;
}

void pending_outputs::delivered(std::uint64_t id) {
  if (id < first_id_ || id >= next_id_)
    return;
  auto& e = entries_[id - first_id_];
  if (!e.pending)
    return;
  e.pending = false;
  if (e.stored)
    delivered_.push_back(std::move(e.record));
  e = entry{};
  while (!entries_.empty() && !entries_.front().pending) {
    entries_.pop_front();
    ++first_id_;
  }
}

std::unordered_set<std::string_view> pending_outputs::held() const {
  std::unordered_set<std::string_view> out(delivered_.begin(), delivered_.end());
  for (auto& e : entries_)
    if (e.pending)
      out.insert(e.record);
  return out;
}

void pending_outputs::save(write_batch& batch) {
  if (repeats_ == 0) { // every record once: each delivered one goes, each pending one is kept
    for (auto& r : delivered_)
      batch.erase(std::move(r));
    delivered_.clear();
    for (auto& e : entries_)
      if (e.pending && !e.stored && !e.record.empty()) {
        batch.put(e.record, std::move(e.saved));
        e.stored = true;
      }
    return;
  }
  // A record emitted anew keeps only its newest emission: an older one is neither written nor
  // erased once delivered while a newer one is on its way.
  std::unordered_map<std::string_view, std::uint64_t> newest;
  auto id = first_id_;
  for (auto& e : entries_) {
    if (e.pending && !e.record.empty())
      newest[e.record] = id;
    ++id;
  }
  for (auto& r : delivered_)
    if (!newest.count(r))
      batch.erase(std::move(r));
  delivered_.clear();
  id = first_id_;
  for (auto& e : entries_) {
    if (e.pending && !e.stored && !e.record.empty() && newest[e.record] == id) {
      batch.put(e.record, std::move(e.saved));
      e.stored = true;
    }
    ++id;
  }
  if (entries_.empty())
    repeats_ = 0;
}

} // namespace streams
