# streams_kafka: Kafka sources and sinks, and the embedded Kafka-protocol broker (librdkafka's
# mock cluster) for development and tests. It links librdkafka but never CAF: the actors drive
# these classes through the engine-independent source/sink interfaces of streams_core.
# Included from libstreams/CMakeLists.txt, so paths are relative to libstreams/.
streams_library(streams_kafka kafka
  SOURCES
    src/kafka/changelog_record.cpp
    src/kafka/client_config.cpp
    src/kafka/embedded_broker.cpp
    src/kafka/kafka_dead_letter_sink.cpp
    src/kafka/kafka_error.cpp
    src/kafka/kafka_sink.cpp
    src/kafka/kafka_source.cpp
    src/kafka/logger.cpp
    src/kafka/record.cpp
    src/kafka/source_config.cpp
    src/kafka/state_changelog.cpp
  PUBLIC streams::core
  PRIVATE PkgConfig::RDKAFKA spdlog::spdlog)
