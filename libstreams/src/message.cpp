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

void lineage::absorb(const lineage& other) {
  if (other.size_ == 0)
    return;
  if (size_ == 0) {
    *this = other;
    return;
  }
  if (size_ == 1)
    many_.assign(1, one_);
  many_.insert(many_.end(), other.origins().begin(), other.origins().end());
  size_ = many_.size();
}

std::vector<lineage> lineage::split(std::size_t n) {
  std::vector<lineage> rest(n > 0 ? n - 1 : 0);
  for (auto* o = data(); o != data() + size_; ++o) {
    auto share = o->weight / n;
    auto remainder = o->weight - share * n;
    for (auto& r : rest)
      r.absorb(lineage(origin{o->source, o->partition, o->offset, share}));
    o->weight = share + remainder;
  }
  return rest;
}

} // namespace streams
