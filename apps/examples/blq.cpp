// Sentry Streams' blq (backlog queue): metrics whose timestamp is more than ten minutes old go
// to a topic of their own, recent ones are broadcast to two topics (two databases).

#include "examples.hpp"

#include "streams/sources/stream_source.hpp"

namespace streams::examples {

namespace {

constexpr double max_age_seconds = 600;

const char* age_branch(const json& metric) {
  auto ts = metric.get_number("timestamp");
  if (!ts)
    throw invalid_message("metric has no numeric 'timestamp'");
  return static_cast<double>(now_ms()) / 1000.0 - *ts > max_age_seconds ? "delayed" : "recent";
}

} // namespace

void blq(pipeline& p) {
  auto routes = p.source("ingest", sources::stream("ingest-metrics"))
                    .parse_json("parser")
                    .route("blq_router", {"delayed", "recent"}, age_branch);
  routes.branch("delayed")
      .serialize_json("serializer2")
      .sink("kafkasink3", sinks::stream("transformed-events-3"));
  auto dbs = routes.branch("recent")
                 .serialize_json("serializer1")
                 .broadcast("send_message_to_DBs", {"db1", "db2"});
  dbs.branch("db1").sink("kafkasink", sinks::stream("transformed-events"));
  dbs.branch("db2").sink("kafkasink2", sinks::stream("transformed-events-2"));
}

} // namespace streams::examples
