#include "streams/sources/memory_source.hpp"

namespace streams {

void commit_log::add(const std::vector<partition_offset>& positions) {
  std::lock_guard<std::mutex> guard(mtx_);
  commits_.insert(commits_.end(), positions.begin(), positions.end());
}

std::vector<partition_offset> commit_log::all() const {
  std::lock_guard<std::mutex> guard(mtx_);
  return commits_;
}

memory_source::memory_source(std::size_t count, generator make, std::shared_ptr<commit_log> log)
    : count_(count), make_(std::move(make)), log_(std::move(log)) {}

std::vector<message> memory_source::poll(std::size_t max) {
  std::vector<message> out;
  auto n = std::min(max, count_ - next_);
  out.reserve(n);
  auto now = now_ms();
  for (std::size_t i = 0; i < n; ++i, ++next_) {
    auto m = make_(next_);
    if (m.timestamp() == 0)
      m.set_timestamp(now);
    m.set_lineage(lineage(origin{0, 0, static_cast<std::int64_t>(next_), origin::full_weight}));
    out.push_back(std::move(m));
  }
  return out;
}

void memory_source::commit(const std::vector<partition_offset>& positions) {
  if (log_)
    log_->add(positions);
}

} // namespace streams
