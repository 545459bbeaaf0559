#include "streams/message.hpp"

#include <chrono>

namespace streams {

const bytes* message::header(std::string_view name) const {
  for (auto& h : headers_)
    if (h.name == name)
      return &h.value;
  return nullptr;
}

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::vector<lineage> lineage::split(std::size_t n) {
  std::vector<lineage> rest(n > 0 ? n - 1 : 0);
  for (auto& o : origins_) {
    auto share = o.weight / n;
    auto remainder = o.weight - share * n;
    for (auto& r : rest)
      r.origins_.push_back({o.source, o.partition, o.offset, share});
    o.weight = share + remainder;
  }
  return rest;
}

} // namespace streams
