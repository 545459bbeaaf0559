#pragma once

#include "streams/pipeline.hpp"
#include "streams/source.hpp"

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace streams {

/// The commits a source received, readable from another thread (tests, benchmarks).
class commit_log {
public:
  void add(const std::vector<partition_offset>& positions);
  std::vector<partition_offset> all() const;

private:
  mutable std::mutex mtx_;
  std::vector<partition_offset> commits_;
};

/// A finite source of `count` messages made on demand by `make(i)`, in partition 0 with
/// offset i. For tests and benchmarks.
class memory_source : public source {
public:
  using generator = std::function<message(std::size_t)>;
  memory_source(std::size_t count, generator make, std::shared_ptr<commit_log> log);

  std::vector<message> poll(std::size_t max) override;
  bool exhausted() const override { return next_ >= count_; }
  void commit(const std::vector<partition_offset>& positions) override;

private:
  std::size_t count_;
  std::size_t next_ = 0;
  generator make_;
  std::shared_ptr<commit_log> log_;
};

namespace sources {

/// A source of the given messages (payloads of type `T`).
template <class T>
source_spec<T> memory_messages(std::vector<message> messages,
                               std::shared_ptr<commit_log> log = nullptr) {
  auto shared = std::make_shared<const std::vector<message>>(std::move(messages));
  auto n = shared->size();
  return {"memory", std::to_string(n) + " messages in memory", [shared, n, log] {
            return std::make_unique<memory_source>(
                n, [shared](std::size_t i) { return (*shared)[i]; }, log);
          }};
}

/// A source of messages carrying the given payloads.
template <class T>
source_spec<T> memory(std::vector<T> payloads, std::shared_ptr<commit_log> log = nullptr) {
  std::vector<message> messages;
  messages.reserve(payloads.size());
  for (auto& p : payloads)
    messages.emplace_back(std::move(p));
  return memory_messages<T>(std::move(messages), log);
}

/// A source of `count` messages made by `make(i)` when polled (no memory held up front).
template <class T>
source_spec<T> generate(std::size_t count, std::function<T(std::size_t)> make) {
  return {"generated", std::to_string(count) + " generated messages", [count, make] {
            return std::make_unique<memory_source>(
                count, [make](std::size_t i) { return message(make(i)); }, nullptr);
          }};
}

} // namespace sources
} // namespace streams
