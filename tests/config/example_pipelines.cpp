#include "config/example_pipelines.hpp"

#include "streams/sinks/devnull_sink.hpp"
#include "streams/sinks/stream_sinks.hpp"
#include "streams/sources/memory_source.hpp"

namespace streams::test {

source_spec<bytes> kafka_source(std::string stream_name) {
  auto spec = sources::memory<bytes>({});
  spec.stream_name = std::move(stream_name);
  spec.connector = "kafka";
  return spec;
}

sink_spec<bytes> kafka_sink(std::string stream_name) {
  auto spec = sinks::devnull<bytes>();
  spec.stream_name = std::move(stream_name);
  spec.connector = "kafka";
  return spec;
}

namespace {

bool keep(const json&) { return true; }
json same(const json& j) { return j; }
std::string recent(const json&) { return "recent"; }

} // namespace

std::unique_ptr<pipeline> simple_map_filter() {
  auto p = std::make_unique<pipeline>("simple_map_filter");
  p->source("myinput", kafka_source("ingest-metrics"))
      .parse_json("parser")
      .filter("filter", keep)
      .map("transform", same)
      .serialize_json("serializer")
      .sink("mysink", kafka_sink("transformed-events"));
  return p;
}

std::unique_ptr<pipeline> blq() {
  auto p = std::make_unique<pipeline>("blq");
  auto routed = p->source("ingest", kafka_source("ingest-metrics"))
                    .parse_json("parser")
                    .route("blq_router", {"delayed", "recent"}, recent);
  routed.branch("delayed")
      .serialize_json("serializer2")
      .sink("kafkasink3", kafka_sink("transformed-events-3"));
  auto copies = routed.branch("recent")
                    .serialize_json("serializer1")
                    .broadcast("send_message_to_DBs", {"kafkasink", "kafkasink2"});
  copies.branch("kafkasink").sink("kafkasink", kafka_sink("transformed-events"));
  copies.branch("kafkasink2").sink("kafkasink2", kafka_sink("transformed-events-2"));
  return p;
}

std::unique_ptr<pipeline> broadcast() {
  auto p = std::make_unique<pipeline>("broadcast");
  auto copies = p->source("myinput", kafka_source("events"))
                    .map("no_op_map", [](const bytes& b) { return b; })
                    .broadcast("broadcast", {"hello_branch", "goodbye_branch"});
  copies.branch("hello_branch")
      .map("hello_map", [](const bytes& b) { return "Hello, " + b + "!"; })
      .sink("hello_sink", kafka_sink("transformed-events"));
  copies.branch("goodbye_branch")
      .map("goodbye_map", [](const bytes& b) { return "Goodbye, " + b + "."; })
      .sink("goodbye_sink", kafka_sink("transformed-events-2"));
  return p;
}

std::unique_ptr<pipeline> simple_batching() {
  auto p = std::make_unique<pipeline>("simple_batching");
  p->source("myinput", kafka_source("ingest-metrics"))
      .parse_json("parser")
      .batch("mybatch", 3, std::chrono::seconds(100))
      .serialize_json("serializer")
      .sink("mysink", kafka_sink("transformed-events"));
  return p;
}

std::unique_ptr<pipeline> devnull_benchmark() {
  auto p = std::make_unique<pipeline>("devnull_benchmark");
  p->source("benchmark_source", kafka_source("ingest-metrics"))
      .parse_json("parser")
      .map("transform", same)
      .serialize_json("serializer")
      .sink("devnull", sinks::devnull<bytes>());
  return p;
}

} // namespace streams::test
