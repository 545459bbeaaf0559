#include "logger.hpp"

#include <spdlog/spdlog.h>

namespace streams::kafka {

spdlog::logger& log() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    if (auto existing = spdlog::get("kafka"))
      return existing;
    auto made = spdlog::default_logger()->clone("kafka");
    // Another thread may have registered one meanwhile; then use that one.
    try {
      spdlog::register_logger(made);
    } catch (const spdlog::spdlog_ex&) {
      if (auto existing = spdlog::get("kafka"))
        return existing;
    }
    return made;
  }();
  return *instance;
}

} // namespace streams::kafka
