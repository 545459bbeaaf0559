#pragma once

#include "streams/pipeline.hpp"
#include "streams/sink.hpp"

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace streams {

/// Writes each payload as one line to a C stream, flushing after every batch; messages
/// count as delivered once flushed. Used for stdout and for files.
class line_sink : public sink {
public:
  /// Opens `path` for appending; throws naming the path when that fails.
  explicit line_sink(const std::string& path);
  /// Writes to standard output.
  line_sink();
  ~line_sink() override;

  void write(std::vector<message>& batch, delivery_report& report) override;

private:
  std::FILE* out_;
  bool owned_;
  std::string name_;
};

/// Writes dead letters (see dead_letter.hpp) to standard error as JSON lines: the step,
/// the error, the origins and the payload. The default dead-letter sink.
class dead_letter_log_sink : public sink {
public:
  void write(std::vector<message>& batch, delivery_report& report) override;
};

/// Keeps delivered messages where a test can read them, from another thread.
class memory_store {
public:
  void add(std::vector<message>& batch);
  std::vector<message> messages() const;
  std::size_t size() const;
  /// The payloads, as `T`.
  template <class T>
  std::vector<T> payloads() const {
    std::vector<T> out;
    for (auto& m : messages())
      out.push_back(m.payload<T>());
    return out;
  }

private:
  mutable std::mutex mtx_;
  std::vector<message> messages_;
};

class memory_sink : public sink {
public:
  explicit memory_sink(std::shared_ptr<memory_store> store) : store_(std::move(store)) {}
  void write(std::vector<message>& batch, delivery_report& report) override;

private:
  std::shared_ptr<memory_store> store_;
};

namespace sinks {

inline sink_spec<bytes> stdout_lines() {
  return {"stdout", "lines to standard output", [] { return std::make_unique<line_sink>(); },
          "stdout"};
}

inline sink_spec<bytes> file_lines(std::string path) {
  return {"file", "lines appended to " + path, [=] { return std::make_unique<line_sink>(path); },
          "file"};
}

template <class T>
sink_spec<T> memory(std::shared_ptr<memory_store> store) {
  return {"memory", "kept in memory", [store] { return std::make_unique<memory_sink>(store); }};
}

} // namespace sinks
} // namespace streams
