#include "log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace streams::actors {

spdlog::logger& log() {
  static auto logger = [] {
    auto l = spdlog::get("streams.actors");
    return l ? l : spdlog::stderr_color_mt("streams.actors");
  }();
  return *logger;
}

} // namespace streams::actors
