# streams_config: deployment configs (YAML in the shape of Sentry Streams'), loaded into plain
# typed structs and checked against a pipeline graph. yaml-cpp stays private: the public headers
# (streams/config/) show only standard types, so users of streams::config need no yaml-cpp headers.
# Included from libstreams/CMakeLists.txt, so paths are relative to libstreams/.
find_package(yaml-cpp REQUIRED)
# Visible from the root too, where cmake/StreamsInstall.cmake reads our link libraries to write
# the package's find_dependency lines (an imported target is otherwise local to this directory).
set_target_properties(yaml-cpp PROPERTIES IMPORTED_GLOBAL TRUE)

add_library(streams_config STATIC
  src/config/config_error.cpp
  src/config/config_keys.cpp
  src/config/config_reader.cpp
  src/config/deployment_config.cpp
  src/config/envvar_substitution.cpp
  src/config/key_path.cpp
  src/config/load_deployment_config.cpp
  src/config/metrics_config.cpp
  src/config/read_metrics.cpp
  src/config/read_step.cpp
  src/config/step_settings.cpp
  src/config/yaml_tree.cpp
)
add_library(streams::config ALIAS streams_config)
target_include_directories(streams_config PUBLIC
  $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_link_libraries(streams_config
  PUBLIC streams::core
  PRIVATE yaml-cpp)
set_target_properties(streams_config PROPERTIES EXPORT_NAME config OUTPUT_NAME streams_config)

install(TARGETS streams_config EXPORT streamsTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
