#pragma once

#include <spdlog/logger.h>

namespace streams::kafka {

/// The Kafka layer's named logger, "kafka". An application that registers its own spdlog
/// logger of that name before the first Kafka client is made gets its lines; otherwise the
/// logger is a clone of spdlog's default logger (same sinks, level and pattern).
/// Thread-safe: librdkafka calls into it from its own threads.
spdlog::logger& log();

} // namespace streams::kafka
