#include "streams/config/config_error.hpp"

#include <ostream>

namespace streams::config {

std::string to_string(const config_error& e) {
  std::string out = e.path.empty() ? e.message : e.path + ": " + e.message;
  std::string where = e.file;
  if (e.line > 0) {
    where += (where.empty() ? "line " : ", line ") + std::to_string(e.line);
    if (e.column > 0)
      where += ", column " + std::to_string(e.column);
  }
  if (!where.empty())
    out += " (" + where + ")";
  return out;
}

std::ostream& operator<<(std::ostream& out, const config_error& e) { return out << to_string(e); }

} // namespace streams::config
