#include "streams/state/pending_outputs.hpp"

#include "streams/state/state_store.hpp"

namespace streams {

std::uint64_t pending_outputs::add(std::string record, std::string saved, bool stored) {
  auto id = next_id_++;
  if (!record.empty())
    newest_[record] = id;
  by_id_.emplace(id, entry{std::move(record), std::move(saved), stored});
  return id;
}

void pending_outputs::delivered(std::uint64_t id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end())
    return;
  auto& e = it->second;
  auto newest = newest_.find(e.record);
  if (newest != newest_.end() && newest->second == id) {
    newest_.erase(newest);
    if (e.stored)
      delivered_.push_back(std::move(e.record));
  }
  by_id_.erase(it);
}

void pending_outputs::save(write_batch& batch) {
  for (auto& r : delivered_)
    if (!newest_.count(r)) // emitted anew since: that emission is still on its way
      batch.erase(std::move(r));
  delivered_.clear();
  for (auto& [id, e] : by_id_) {
    if (e.stored || e.record.empty())
      continue;
    auto newest = newest_.find(e.record);
    if (newest != newest_.end() && newest->second == id) {
      batch.put(e.record, std::move(e.saved));
      e.stored = true;
    }
  }
}

} // namespace streams
