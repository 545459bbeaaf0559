# streams_state: the LMDB state store and open_state_store (the interface and the memory store
# are in streams_core). It links LMDB but never CAF. The pkg-config module is checked in the
# root CMakeLists.txt, like rdkafka: cmake/StreamsInstall.cmake, run from the root, must see
# PkgConfig::LMDB and its pkg_check_modules arguments to write the package's find line.
# Included from libstreams/CMakeLists.txt, so paths are relative to libstreams/.
streams_library(streams_state state
  SOURCES
    src/state/lmdb_store.cpp
    src/state/open_state_store.cpp
  PUBLIC streams::core
  PRIVATE PkgConfig::LMDB)
