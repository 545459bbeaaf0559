# Installs the CMake package of streams, so that an application outside this tree can write
#
#     find_package(streams 0.1 REQUIRED)
#     target_link_libraries(app PRIVATE streams::core)   # and streams::actors, streams::kafka
#
# Each library installs its own files and joins the export set `streamsTargets` (see
# libstreams/CMakeLists.txt). This file, included last by the root CMakeLists.txt, adds what
# the package needs around them: the exported targets, the Find modules of dependencies that
# ship no CMake package of their own, a version file, and a streamsConfig.cmake that finds
# exactly the dependencies the exported libraries link. Those are read from the targets
# themselves, so a library that links something new needs no change here, as long as the
# dependency is one `streams_dependency_command` below knows.
include(CMakePackageConfigHelpers)

set(STREAMS_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/streams
    CACHE STRING "Where the CMake package of streams is installed, relative to the prefix")

# The library targets of this project in the export set: those that set EXPORT_NAME.
function(streams_exported_targets dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  set(found "")
  foreach(t IN LISTS targets)
    get_target_property(export_name ${t} EXPORT_NAME)
    if(export_name)
      list(APPEND found ${t})
    endif()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    streams_exported_targets(${sub} sub_found)
    list(APPEND found ${sub_found})
  endforeach()
  set(${out} ${found} PARENT_SCOPE)
endfunction()

# The line of streamsConfig.cmake that makes the imported target `dep` exist for a consumer,
# or "" when it needs none (our own targets, plain library names and paths).
function(streams_dependency_command dep out)
  set(cmd "")
  if(dep MATCHES "^streams::" OR NOT TARGET ${dep})
    # ours, or not a target: nothing to find
  elseif(dep MATCHES "^PkgConfig::(.+)$")
    # pkg_check_modules(<prefix> ...) remembers its arguments; keep only the module specs
    set(prefix ${CMAKE_MATCH_1})
    set(modules "")
    foreach(arg IN LISTS __pkg_config_arguments_${prefix})
      if(NOT arg MATCHES "^(REQUIRED|QUIET|IMPORTED_TARGET|GLOBAL|NO_CMAKE_PATH|NO_CMAKE_ENVIRONMENT_PATH)$")
        list(APPEND modules ${arg})
      endif()
    endforeach()
    if(NOT modules)
      message(FATAL_ERROR "StreamsInstall: cannot tell which pkg-config modules make ${dep}")
    endif()
    list(JOIN modules " " modules)
    set(cmd "_streams_pkg_config(${prefix} ${modules})")
  elseif(dep MATCHES "^Threads::")
    set(cmd "_streams_dependency(Threads)")
  elseif(dep MATCHES "^prometheus-cpp::")
    set(cmd "_streams_dependency(prometheus-cpp CONFIG)") # ships no version file
  elseif(dep STREQUAL "yaml-cpp" OR dep MATCHES "^yaml-cpp::")
    set(cmd "_streams_dependency(yaml-cpp)")
  elseif(dep MATCHES "^([A-Za-z0-9_.+-]+)::")
    # CAF, RapidJSON (Find modules installed beside the config), spdlog, fmt, nlohmann_json,
    # CLI11, civetweb, doctest: the package is named like the target's namespace
    set(cmd "_streams_dependency(${CMAKE_MATCH_1})")
  endif()
  set(${out} "${cmd}" PARENT_SCOPE)
endfunction()

streams_exported_targets(${PROJECT_SOURCE_DIR} _streams_exported)
set(_streams_dependency_lines "")
foreach(t IN LISTS _streams_exported)
  # A static library's consumers link its private dependencies too ($<LINK_ONLY:...>).
  get_target_property(_deps ${t} LINK_LIBRARIES)
  get_target_property(_ideps ${t} INTERFACE_LINK_LIBRARIES)
  foreach(dep IN LISTS _deps _ideps)
    if(dep MATCHES "-NOTFOUND$" OR dep MATCHES "^\\$<BUILD_INTERFACE:")
      continue()
    endif()
    # unwrap $<LINK_ONLY:x>, $<INSTALL_INTERFACE:x> and similar one-argument wrappers
    string(REGEX REPLACE "^\\$<[A-Z_]+:(.*)>$" "\\1" dep "${dep}")
    streams_dependency_command("${dep}" _line)
    if(_line)
      list(APPEND _streams_dependency_lines "${_line}")
    endif()
  endforeach()
endforeach()
list(REMOVE_DUPLICATES _streams_dependency_lines)
list(JOIN _streams_dependency_lines "\n" STREAMS_FIND_DEPENDENCIES)
message(STATUS "streams package: exports ${_streams_exported}")

install(EXPORT streamsTargets
  NAMESPACE streams::
  FILE streamsTargets.cmake
  DESTINATION ${STREAMS_INSTALL_CMAKEDIR})

configure_package_config_file(
  ${CMAKE_CURRENT_LIST_DIR}/streamsConfig.cmake.in
  ${PROJECT_BINARY_DIR}/streamsConfig.cmake
  INSTALL_DESTINATION ${STREAMS_INSTALL_CMAKEDIR})

# 0.x: a new minor version may break the API, so only the same minor version is compatible.
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/streamsConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)

install(FILES
  ${PROJECT_BINARY_DIR}/streamsConfig.cmake
  ${PROJECT_BINARY_DIR}/streamsConfigVersion.cmake
  ${CMAKE_CURRENT_LIST_DIR}/FindCAF.cmake
  ${CMAKE_CURRENT_LIST_DIR}/FindRapidJSON.cmake
  DESTINATION ${STREAMS_INSTALL_CMAKEDIR})
