#include "key_path.hpp"

namespace streams::config::detail {

namespace {

bool plain_word(std::string_view key) {
  if (key.empty())
    return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
              || c == '-';
    if (!ok)
      return false;
  }
  return true;
}

} // namespace

std::string child_path(std::string_view parent, std::string_view key) {
  std::string out(parent);
  if (!plain_word(key))
    return out + "[\"" + std::string(key) + "\"]";
  if (!out.empty())
    out += '.';
  return out + std::string(key);
}

std::string item_path(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

} // namespace streams::config::detail
