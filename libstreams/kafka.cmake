# streams_kafka: Kafka sources and sinks, and the embedded Kafka-protocol broker (librdkafka's
# mock cluster) for development and tests. It links librdkafka but never CAF: the actors drive
# these classes through the engine-independent source/sink interfaces of streams_core.
# Included from libstreams/CMakeLists.txt, so paths are relative to libstreams/.
add_library(streams_kafka STATIC
  src/kafka/client_config.cpp
  src/kafka/embedded_broker.cpp
  src/kafka/kafka_error.cpp
  src/kafka/kafka_sink.cpp
  src/kafka/kafka_source.cpp
  src/kafka/logger.cpp
  src/kafka/source_config.cpp
)
add_library(streams::kafka ALIAS streams_kafka)
target_include_directories(streams_kafka PUBLIC
  $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
# librdkafka and spdlog stay out of the public headers (the classes keep their handles behind a
# pimpl), so users of streams::kafka need neither on their include path.
target_link_libraries(streams_kafka
  PUBLIC streams::core
  PRIVATE PkgConfig::RDKAFKA spdlog::spdlog)
set_target_properties(streams_kafka PROPERTIES EXPORT_NAME kafka OUTPUT_NAME streams_kafka)

install(TARGETS streams_kafka EXPORT streamsTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
