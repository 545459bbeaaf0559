#include "streams/sinks/stream_sinks.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace streams {

namespace {

void report_all(std::vector<message>& batch, delivery_report& report) {
  for (auto& m : batch)
    report.delivered(m.lineage());
}

} // namespace

line_sink::line_sink(const std::string& path)
    : out_(std::fopen(path.c_str(), "ab")), owned_(true), name_(path) {
  if (!out_)
    throw std::runtime_error("cannot open output file '" + path + "': " + std::strerror(errno));
}

line_sink::line_sink() : out_(stdout), owned_(false), name_("standard output") {}

line_sink::~line_sink() {
  if (owned_)
    std::fclose(out_);
}

void line_sink::write(std::vector<message>& batch, delivery_report& report) {
  for (auto& m : batch) {
    auto& p = m.payload<bytes>();
    std::fwrite(p.data(), 1, p.size(), out_);
    std::fputc('\n', out_);
  }
  if (std::fflush(out_) != 0 || std::ferror(out_)) {
    auto reason = "cannot write to " + name_ + ": " + std::strerror(errno);
    for (auto& m : batch)
      report.failed(m.lineage(), reason);
    return;
  }
  report_all(batch, report);
}

void dead_letter_log_sink::write(std::vector<message>& batch, delivery_report& report) {
  for (auto& m : batch) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("dead_letter");
    w.StartObject();
    w.Key("headers"); // a list: names repeat (one streams-origin per origin)
    w.StartArray();
    for (auto& h : m.headers()) {
      w.StartArray();
      w.String(h.name.c_str(), static_cast<rapidjson::SizeType>(h.name.size()));
      w.String(h.value.c_str(), static_cast<rapidjson::SizeType>(h.value.size()));
      w.EndArray();
    }
    w.EndArray();
    w.Key("payload");
    auto& p = m.payload<bytes>();
    w.String(p.c_str(), static_cast<rapidjson::SizeType>(p.size()));
    w.EndObject();
    w.EndObject();
    std::fprintf(stderr, "%s\n", buf.GetString());
  }
  std::fflush(stderr);
  report_all(batch, report);
}

void memory_store::add(std::vector<message>& batch) {
  std::lock_guard<std::mutex> guard(mtx_);
  for (auto& m : batch)
    messages_.push_back(m);
}

std::vector<message> memory_store::messages() const {
  std::lock_guard<std::mutex> guard(mtx_);
  return messages_;
}

std::size_t memory_store::size() const {
  std::lock_guard<std::mutex> guard(mtx_);
  return messages_.size();
}

void memory_sink::write(std::vector<message>& batch, delivery_report& report) {
  store_->add(batch);
  report_all(batch, report);
}

} // namespace streams
