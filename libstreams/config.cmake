# streams_config: deployment configs (YAML in the shape of Sentry Streams'), loaded into plain
# typed structs and checked against a pipeline graph. yaml-cpp stays private: the public headers
# (streams/config/) show only standard types, so users of streams::config need no yaml-cpp headers.
# Included from libstreams/CMakeLists.txt, so paths are relative to libstreams/.
find_package(yaml-cpp REQUIRED)
# Visible from the root too, where cmake/StreamsInstall.cmake reads our link libraries to write
# the package's find_dependency lines (an imported target is otherwise local to this directory).
set_target_properties(yaml-cpp PROPERTIES IMPORTED_GLOBAL TRUE)

streams_library(streams_config config
  SOURCES
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
  PUBLIC streams::core
  PRIVATE yaml-cpp)
