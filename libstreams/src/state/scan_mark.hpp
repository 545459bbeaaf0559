#pragma once

#include "streams/state/state_store.hpp"

#include <algorithm>
#include <vector>

namespace streams::detail {

/// Marks, for the calling thread, that a scan of `store` is running its callback, so that
/// `write` can refuse to run inside it (see state_store::scan) and the LMDB store's `get`
/// knows this thread already holds its read lock. Scans nest, of one store or several.
class scan_mark {
public:
  explicit scan_mark(const state_store* store) { running().push_back(store); }
  ~scan_mark() { running().pop_back(); } // marks live in scopes, so the last is ours
  scan_mark(const scan_mark&) = delete;
  scan_mark& operator=(const scan_mark&) = delete;

  /// True when the calling thread is inside a callback of a scan of `store`.
  static bool active(const state_store* store) {
    auto& r = running();
    return std::find(r.begin(), r.end(), store) != r.end();
  }

private:
  static std::vector<const state_store*>& running() {
    thread_local std::vector<const state_store*> stores;
    return stores;
  }
};

} // namespace streams::detail
