#pragma once

#include <spdlog/logger.h>

namespace streams::actors {

/// The runtime's logger, "streams.actors", on standard error.
spdlog::logger& log();

} // namespace streams::actors
