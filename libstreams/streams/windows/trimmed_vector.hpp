#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace streams {

/// A vector whose oldest elements can be dropped from the front in amortized constant time:
/// a key's panes of a sliding window, where every slide drops the oldest pane and adds a
/// newest one. Erasing from the front of a plain vector moves every other element (59 panes
/// of a 60 s window sliding by 1 s, for every key at every slide), which was most of such a
/// window's cost; here the dropped elements stay, emptied, until they are a quarter of all,
/// and only then are the live ones moved down, once: at most three moves per element dropped.
///
/// Iterators are those of the underlying vector, valid as a vector's are; `trim_front` and
/// anything that adds an element may invalidate them.
template <class T>
class trimmed_vector {
public:
  using iterator = typename std::vector<T>::iterator;
  using const_iterator = typename std::vector<T>::const_iterator;

  trimmed_vector() = default;
  explicit trimmed_vector(std::vector<T>&& items) : items_(std::move(items)) {}

  iterator begin() { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  const_iterator end() const { return items_.end(); }
  T& front() { return items_[head_]; }
  T& back() { return items_.back(); }
  bool empty() const { return head_ == items_.size(); }
  std::size_t size() const { return items_.size() - head_; }

  void push_back(T&& item) { items_.push_back(std::move(item)); }
  iterator insert(iterator at, T&& item) { return items_.insert(at, std::move(item)); }
  iterator erase(iterator at) { return items_.erase(at); }
  void clear() {
    items_.clear();
    head_ = 0;
  }
  /// Drops the elements before `to`, which must be in [begin(), end()].
  void trim_front(iterator to) {
    for (auto it = begin(); it != to; ++it)
      *it = T(); // let go of what it holds now, not at the next compaction
    head_ = static_cast<std::size_t>(to - items_.begin());
    if (head_ == items_.size()) {
      clear();
    } else if (head_ * 4 >= items_.size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }

private:
  std::vector<T> items_;
  std::size_t head_ = 0; ///< elements before it are dropped
};

} // namespace streams
