# Run by ctest (see CMakeLists.txt here) as `cmake -D... -P run_install_test.cmake`:
#   1. cmake --install STREAMS_BUILD_DIR into WORK_DIR/prefix (emptied first, so nothing
#      stale from an earlier run can hide a file that is no longer installed);
#   2. configures APP_SOURCE_DIR from scratch with only that prefix to find streams in;
#   3. builds it and runs it, comparing its output with EXPECTED_OUTPUT.
# Any failing step ends the script with FATAL_ERROR, which fails the test.
cmake_minimum_required(VERSION 3.20)

foreach(var STREAMS_BUILD_DIR WORK_DIR APP_SOURCE_DIR EXPECTED_OUTPUT GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_install_test.cmake: -D ${var}=... is required")
  endif()
endforeach()

set(prefix ${WORK_DIR}/prefix)
set(app_build ${WORK_DIR}/app-build)

# Runs a command; on failure prints its output and fails the test, naming `what`.
function(run what)
  execute_process(COMMAND ${ARGN}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "install test: ${what} failed (${rc}):\n${ARGN}\n${out}\n${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${prefix} ${app_build})

message(STATUS "installing ${STREAMS_BUILD_DIR} into ${prefix}")
run("cmake --install" ${CMAKE_COMMAND} --install ${STREAMS_BUILD_DIR} --prefix ${prefix})

set(configure_args
  -S ${APP_SOURCE_DIR} -B ${app_build}
  -G ${GENERATOR}
  -D CMAKE_CXX_COMPILER=${CXX_COMPILER}
  -D CMAKE_PREFIX_PATH=${prefix}
  -D CMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
  -D STREAMS_EXPECTED_PREFIX=${prefix})
if(MAKE_PROGRAM)
  list(APPEND configure_args -D CMAKE_MAKE_PROGRAM=${MAKE_PROGRAM})
endif()
if(CXX_COMPILER_LAUNCHER)
  list(APPEND configure_args -D CMAKE_CXX_COMPILER_LAUNCHER=${CXX_COMPILER_LAUNCHER})
endif()
if(BUILD_TYPE)
  list(APPEND configure_args -D CMAKE_BUILD_TYPE=${BUILD_TYPE})
endif()
message(STATUS "configuring ${APP_SOURCE_DIR}")
run("configuring the app" ${CMAKE_COMMAND} ${configure_args})

message(STATUS "building the app")
run("building the app" ${CMAKE_COMMAND} --build ${app_build})

message(STATUS "running the app")
run("running the app" ${app_build}/streams_install_app)
set(actual "${run_output}")
file(READ ${EXPECTED_OUTPUT} expected)
if(NOT actual STREQUAL expected)
  file(WRITE ${WORK_DIR}/actual_output.txt "${actual}")
  message(FATAL_ERROR "install test: the app printed\n${actual}\nbut ${EXPECTED_OUTPUT} expects\n"
                      "${expected}\n(diff -u ${EXPECTED_OUTPUT} ${WORK_DIR}/actual_output.txt)")
endif()
message(STATUS "the installed package works")
