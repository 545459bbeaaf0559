#include "streams/sources/file_source.hpp"

#include <condition_variable>
#include <cstring>
#include <deque>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace streams {

namespace {

message line_message(std::string line, const std::string& stream_name, std::int64_t offset) {
  message m(std::move(line));
  m.set_schema(stream_name);
  m.set_timestamp(now_ms());
  m.set_lineage(lineage(origin{0, 0, offset, origin::full_weight}));
  return m;
}

} // namespace

file_source::file_source(std::string path, std::string stream_name)
    : path_(std::move(path)), stream_name_(std::move(stream_name)), in_(path_) {
  if (!in_)
    throw std::runtime_error("cannot open input file '" + path_ + "': " + std::strerror(errno));
}

std::vector<message> file_source::poll(std::size_t max) {
  std::vector<message> out;
  std::string line;
  while (out.size() < max && std::getline(in_, line)) {
    auto offset = line_++;
    if (!line.empty())
      out.push_back(line_message(std::move(line), stream_name_, offset));
  }
  if (!in_)
    done_ = true;
  return out;
}

struct stdin_source::shared {
  static constexpr std::size_t capacity = 8192;
  std::mutex mtx;
  std::condition_variable room;
  std::deque<std::string> lines;
  bool eof = false;
};

stdin_source::stdin_source(std::string stream_name)
    : s_(std::make_shared<shared>()), stream_name_(std::move(stream_name)) {
  // getline cannot be interrupted, so the reader owns a share of the state and is
  // detached: at shutdown it ends with the process instead of holding it up.
  std::thread([s = s_] {
    std::string line;
    while (std::getline(std::cin, line)) {
      std::unique_lock<std::mutex> lock(s->mtx);
      s->room.wait(lock, [&] { return s->lines.size() < shared::capacity; });
      s->lines.push_back(std::move(line));
    }
    std::lock_guard<std::mutex> lock(s->mtx);
    s->eof = true;
  }).detach();
}

stdin_source::~stdin_source() = default;

std::vector<message> stdin_source::poll(std::size_t max) {
  std::vector<message> out;
  {
    std::lock_guard<std::mutex> lock(s_->mtx);
    while (out.size() < max && !s_->lines.empty()) {
      auto offset = line_++;
      if (!s_->lines.front().empty())
        out.push_back(line_message(std::move(s_->lines.front()), stream_name_, offset));
      s_->lines.pop_front();
    }
  }
  s_->room.notify_one();
  return out;
}

bool stdin_source::exhausted() const {
  std::lock_guard<std::mutex> lock(s_->mtx);
  return s_->eof && s_->lines.empty();
}

} // namespace streams
