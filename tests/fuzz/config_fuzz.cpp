// Any bytes given to the deployment-config loader, against a pipeline with a step of each role
// the loader tells apart: errors or a config, never a crash, in bounded time and memory.

#include "streams/config/load_deployment_config.hpp"
#include "streams/graph.hpp"

#include <cstdint>
#include <string_view>

namespace {

streams::graph fuzz_pipeline() {
  using streams::step_kind;
  streams::graph g("fuzz");
  auto add = [&](std::string name, step_kind kind, std::string connector = "") {
    streams::step_node n;
    n.name = std::move(name);
    n.kind = kind;
    n.connector = std::move(connector);
    if (kind == step_kind::batch)
      n.batch = std::make_shared<streams::batch_limits>();
    g.add(std::move(n));
  };
  add("myinput", step_kind::source, "kafka");
  add("parser", step_kind::parser);
  add("mybatch", step_kind::batch);
  add("mysink", step_kind::sink, "kafka");
  add("devnull", step_kind::sink, "devnull");
  return g;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto pipeline = fuzz_pipeline();
  static const streams::config::env_lookup env = [](const std::string& name) {
    return name == "SET" ? std::optional<std::string>("127.0.0.1:9092") : std::nullopt;
  };
  streams::config::parse_deployment_config(
      std::string_view(reinterpret_cast<const char*>(data), size), pipeline, env);
  return 0;
}
