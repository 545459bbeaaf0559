#include "streams/state/state_store.hpp"

#include "scan_mark.hpp"

#include <algorithm>
#include <mutex>
#include <unordered_map>

namespace streams {

namespace {

/// The memory store: a hash map under a mutex. A checkpoint writes a record per key it
/// changed into a store of many (600,000 records in the sparse sliding window benchmark), where
/// an ordered map's lookups cost a cache miss per level; scans (restores, adoptions) are rare
/// and sort what they find. `scan` copies the matching entries under the lock and calls the
/// callback after releasing it, so the callback may call `get` and `scan` without deadlocking.
/// `write` refuses to run inside a scan's callback like the LMDB store does, so that a step
/// tested against this store behaves the same against LMDB.
class memory_state_store : public state_store {
public:
  std::optional<std::string> get(std::string_view key) const override {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = entries_.find(std::string(key));
    if (it == entries_.end())
      return std::nullopt;
    return it->second;
  }

  void scan(std::string_view prefix,
            const std::function<void(std::string_view, std::string_view)>& f) const override {
    std::vector<std::pair<std::string, std::string>> snapshot;
    {
      std::lock_guard<std::mutex> guard(mutex_);
      for (auto& e : entries_)
        if (e.first.compare(0, prefix.size(), prefix) == 0)
          snapshot.emplace_back(e);
    }
    std::sort(snapshot.begin(), snapshot.end());
    detail::scan_mark mark(this);
    for (auto& [key, value] : snapshot)
      f(key, value);
  }

  void write(const write_batch& batch) override {
    if (detail::scan_mark::active(this))
      throw state_error("memory state store: cannot write from inside a scan's callback");
    for (auto& [key, value] : batch.ops())
      if (key.empty() || key.size() > max_state_key_size)
        throw state_error("memory state store: cannot write: a key of " + std::to_string(key.size())
                          + " bytes (1 to " + std::to_string(max_state_key_size) + " allowed)");
    std::lock_guard<std::mutex> guard(mutex_);
    for (auto& [key, value] : batch.ops()) {
      if (value)
        entries_.insert_or_assign(key, *value);
      else
        entries_.erase(key);
    }
  }

  bool durable() const override { return false; }

  std::string where() const override { return std::string(memory_state); }

private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::string> entries_;
};

} // namespace

std::unique_ptr<state_store> make_memory_store() { return std::make_unique<memory_state_store>(); }

} // namespace streams
