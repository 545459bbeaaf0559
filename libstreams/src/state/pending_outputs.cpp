#include "streams/state/pending_outputs.hpp"

#include "../windows/state_keys.hpp"

#include "streams/state/state_store.hpp"

#include <string_view>
#include <unordered_map>

namespace streams {

std::uint64_t pending_outputs::add(std::string record, std::string saved, bool stored, bool first) {
  auto& e = push(first);
  e.record.record_or_key = std::move(record);
  e.saved = std::move(saved);
  e.stored = stored;
  return next_id_ - 1;
}

std::uint64_t pending_outputs::add_keyed(std::string key,
                                         std::initializer_list<std::int64_t> numbers,
                                         std::string saved, bool first) {
  auto& e = push(first);
  e.record.record_or_key = std::move(key);
  for (auto x : numbers) // more than fit throws: a record cut short could name another's
    e.record.numbers.at(e.record.count++) = x;
  e.saved = std::move(saved);
  return next_id_ - 1;
}

pending_outputs::entry& pending_outputs::push(bool first) {
  if (!first)
    ++repeats_;
  ++next_id_;
  return entries_.emplace_back();
}

std::string pending_outputs::record(const name& n) const {
  if (n.count == 0)
    return n.record_or_key;
  std::string r;
  r.reserve(prefix_.size() + 4 + n.record_or_key.size() + 8 * n.count);
  r = prefix_;
  state_keys::put_string(r, n.record_or_key);
  for (std::uint8_t i = 0; i < n.count; ++i)
    state_keys::put_i64(r, n.numbers[i]);
  return r;
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
  if (id != first_id_) { // behind others on their way: its memory goes now, its place later
    e.record = name{};
    e.saved = std::string();
  }
  while (!entries_.empty() && !entries_.front().pending) {
    entries_.pop_front();
    ++first_id_;
  }
}

std::unordered_set<std::string> pending_outputs::held() const {
  std::unordered_set<std::string> out;
  for (auto& n : delivered_)
    out.insert(record(n));
  for (auto& e : entries_)
    if (e.pending && !e.record.record_or_key.empty())
      out.insert(record(e.record));
  return out;
}

void pending_outputs::save(write_batch& batch) {
  if (repeats_ == 0) { // every record once: each delivered one goes, each pending one is kept
    for (auto& n : delivered_)
      batch.erase(record(n));
    delivered_.clear();
    for (auto& e : entries_)
      if (e.pending && !e.stored && !e.record.record_or_key.empty()) {
        batch.put(record(e.record), std::move(e.saved));
        e.stored = true;
      }
    return;
  }
  // A record emitted anew keeps only its newest emission: an older one is neither written nor
  // erased once delivered while a newer one is on its way.
  std::vector<std::string> records(entries_.size());
  std::unordered_map<std::string_view, std::uint64_t> newest;
  auto id = first_id_;
  for (std::size_t i = 0; i < entries_.size(); ++i, ++id)
    if (auto& e = entries_[i]; e.pending && !e.record.record_or_key.empty()) {
      records[i] = record(e.record);
      newest[records[i]] = id;
    }
  for (auto& n : delivered_)
    if (auto r = record(n); !newest.count(r))
      batch.erase(std::move(r));
  delivered_.clear();
  id = first_id_;
  for (std::size_t i = 0; i < entries_.size(); ++i, ++id)
    if (auto& e = entries_[i];
        e.pending && !e.stored && !records[i].empty() && newest[records[i]] == id) {
      batch.put(std::move(records[i]), std::move(e.saved));
      e.stored = true;
    }
  if (entries_.empty())
    repeats_ = 0;
}

} // namespace streams
