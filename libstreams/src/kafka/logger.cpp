#include "logger.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace streams::kafka {

spdlog::logger& log() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    if (auto existing = spdlog::get("kafka"))
      return existing;
    // Standard error, like the runtime's logger: standard output belongs to the application.
    auto made = std::make_shared<spdlog::logger>(
        "kafka", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    made->set_level(spdlog::default_logger()->level());
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
