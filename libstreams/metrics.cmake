# streams_metrics: where a pipeline's metrics go (the instruments and the registry are in
# streams_core): Prometheus' text format (prometheus-cpp), DogStatsD over UDP, log lines, and
# the thread that reports them periodically. Its own target so that prometheus-cpp is linked
# only by what exports metrics. The package is found in the root CMakeLists.txt (like rdkafka).
# Included from libstreams/CMakeLists.txt, so paths are relative to libstreams/.
streams_library(streams_metrics metrics
  SOURCES
    src/metrics/dogstatsd_client.cpp
    src/metrics/periodic_reporter.cpp
    src/metrics/prometheus_text.cpp
  PUBLIC streams::core
  PRIVATE prometheus-cpp::core)
