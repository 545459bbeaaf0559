#include "kafka_test_support.hpp"

#include "support/python_producer.hpp"

#include <doctest/doctest.h>

#include <thread>

namespace streams::kafka::test {

std::vector<partition_offset>
tracking_context::revoke(const std::vector<std::int32_t>& partitions) {
  revocations.push_back(partitions);
  auto positions = tracker_.revoke(partitions);
  revoked_positions.push_back(positions);
  return positions;
}

void tracking_context::track(const std::vector<message>& batch) {
  for (auto& m : batch)
    tracker_.track(partition_of(m), offset_of(m));
}

void tracking_context::done(const message& m) { tracker_.done(m.lineage().origins().front()); }

std::vector<message> poll_until(source& src,
                                const std::function<bool(const std::vector<message>&)>& enough,
                                std::chrono::milliseconds timeout, tracking_context* ctx) {
  std::vector<message> all;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!enough(all) && std::chrono::steady_clock::now() < deadline) {
    auto batch = src.poll(256);
    if (batch.empty()) {
      std::this_thread::sleep_for(1ms);
      continue;
    }
    if (ctx)
      ctx->track(batch);
    for (auto& m : batch)
      all.push_back(std::move(m));
  }
  return all;
}

std::vector<message> poll_for(source& src, std::chrono::milliseconds duration,
                              tracking_context* ctx) {
  return poll_until(
      src, [](const std::vector<message>&) { return false; }, duration, ctx);
}

void produce_with_python(const std::string& bootstrap, const std::string& topic, int count,
                         const std::string& prefix, int keys) {
  auto r = run_process(streams::test::python_producer(bootstrap, topic, count, prefix, keys));
  INFO("python producer stderr: " << r.err);
  REQUIRE_FALSE(r.timed_out);
  REQUIRE(r.exit_code == 0);
}

waker wake_counter::make() {
  return [this] {
    std::lock_guard<std::mutex> lock(mutex_);
    ++count_;
    woken_.notify_all();
  };
}

bool wake_counter::wait_beyond(std::size_t seen, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return woken_.wait_for(lock, timeout, [&] { return count_ > seen; });
}

std::size_t wake_counter::count() {
  std::lock_guard<std::mutex> lock(mutex_);
  return count_;
}

std::int32_t partition_of(const message& m) { return m.lineage().origins().front().partition; }

std::int64_t offset_of(const message& m) { return m.lineage().origins().front().offset; }

} // namespace streams::kafka::test
