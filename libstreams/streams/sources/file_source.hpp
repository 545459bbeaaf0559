#pragma once

#include "streams/pipeline.hpp"
#include "streams/source.hpp"

#include <fstream>
#include <memory>
#include <string>

namespace streams {

/// Reads a file line by line (JSON lines, say): one message per non-empty line, partition 0,
/// offset = line number from 0. Throws at start when the file cannot be opened.
class file_source : public source {
public:
  file_source(std::string path, std::string stream_name);

  std::vector<message> poll(std::size_t max) override;
  bool exhausted() const override { return done_; }

private:
  std::string path_;
  std::string stream_name_;
  std::ifstream in_;
  std::int64_t line_ = 0;
  bool done_ = false;
};

/// Reads standard input line by line, like `file_source`; a reader thread keeps a bounded
/// queue so that polling never blocks.
class stdin_source : public source {
public:
  explicit stdin_source(std::string stream_name);
  ~stdin_source() override;

  std::vector<message> poll(std::size_t max) override;
  bool exhausted() const override;

private:
  struct shared;
  std::shared_ptr<shared> s_;
  std::string stream_name_;
  std::int64_t line_ = 0;
};

namespace sources {

inline source_spec<bytes> file_lines(std::string path, std::string stream_name = "file") {
  return {stream_name, "lines of " + path,
          [=] { return std::make_unique<file_source>(path, stream_name); }, "file"};
}

inline source_spec<bytes> stdin_lines(std::string stream_name = "stdin") {
  return {stream_name, "lines of standard input",
          [=] { return std::make_unique<stdin_source>(stream_name); }, "stdin"};
}

} // namespace sources
} // namespace streams
