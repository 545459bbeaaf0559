#include "streams/config/load_deployment_config.hpp"

#include "streams/graph.hpp"

#include "config_reader.hpp"
#include "envvar_substitution.hpp"
#include "key_path.hpp"
#include "read_metrics.hpp"
#include "read_step.hpp"
#include "yaml_tree.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>

namespace streams::config {

namespace {

using namespace detail;
using s = key_section;

const char* const sdk_note =
    "sentry_sdk_config is accepted and ignored: streams reports errors through its log and "
    "dead letters";

/// Every scalar of `env` under its path: free-form data, kept for whoever wants it.
void flatten(const yaml_node& n, const std::string& path, std::map<std::string, std::string>& out) {
  switch (n.type) {
    case yaml_node::kind::null:
      if (!path.empty())
        out[path] = "";
      break;
    case yaml_node::kind::scalar: out[path] = n.text; break;
    case yaml_node::kind::list:
      for (std::size_t i = 0; i < n.items.size(); ++i)
        flatten(n.items[i], item_path(path, i), out);
      break;
    case yaml_node::kind::map:
      for (auto& e : n.entries)
        flatten(e.value, child_path(path, e.key), out);
      break;
  }
}

/// One load: reads the tree section by section into `config`, binding steps to `pipeline`.
class loader {
public:
  loader(const graph& pipeline, std::string file, load_result& result)
      : pipeline_(pipeline), r_(std::move(file), result.errors, result.warnings), result_(result) {}

  deployment_config read(const yaml_node& root) {
    deployment_config config;
    if (root.type == yaml_node::kind::null) {
      r_.error(root, "", "expected a map with the key pipeline, found an empty document");
      return config;
    }
    if (!r_.map(root, ""))
      return config;
    r_.check_keys(root, "", {s::top});
    if (auto env = config_reader::find(root, "env")) {
      if (r_.map(*env, "env", true))
        flatten(*env, "", config.env);
    }
    if (auto cluster = config_reader::find(root, "cluster"))
      config.cluster = read_cluster(*cluster, "cluster");
    cluster_ = config.cluster ? &*config.cluster : nullptr;
    if (auto pipeline = config_reader::find(root, "pipeline"))
      read_pipeline(*pipeline, config);
    if (auto metrics = config_reader::find(root, "metrics"))
      config.metrics = read_metrics(r_, *metrics, "metrics");
    config.state_dir = r_.string(at(root, "", "state_dir"));
    if (auto changelog = config_reader::find(root, "state_changelog"))
      config.state_changelog = read_changelog(*changelog, "state_changelog");
    config.drain_timeout = r_.seconds(at(root, "", "drain_timeout_sec"));
    if (config_reader::find(root, "sentry_sdk_config"))
      note(sdk_note);
    return config;
  }

private:
  void note(std::string text) {
    for (auto& n : result_.notes)
      if (n == text)
        return;
    result_.notes.push_back(std::move(text));
  }

  void read_pipeline(const yaml_node& n, deployment_config& config) {
    const std::string path = "pipeline";
    if (!r_.map(n, path))
      return;
    r_.check_keys(n, path, {s::pipeline});
    if (auto adapter = config_reader::find(n, "adapter_config"))
      read_adapter(*adapter, child_path(path, "adapter_config"), config);
    auto segments = at(n, path, "segments");
    if (!segments.node)
      return;
    if (segments.node->type != yaml_node::kind::list) {
      r_.mismatch(*segments.node, segments.path, "a list of segments");
      return;
    }
    for (std::size_t i = 0; i < segments.node->items.size(); ++i)
      config.segments.push_back(
          read_segment(segments.node->items[i], item_path(segments.path, i), i));
    require_kafka_steps(*segments.node);
  }

  std::optional<cluster_config> read_cluster(const yaml_node& n, const std::string& path) {
    if (!r_.map(n, path))
      return std::nullopt;
    r_.check_keys(n, path, {s::cluster});
    cluster_config cluster;
    auto nodes = at(n, path, "nodes");
    for (auto& [name, address] :
         r_.string_map(nodes).value_or(std::map<std::string, std::string>{}))
      cluster.nodes.emplace(name, address);
    if (nodes.node && cluster.nodes.empty())
      r_.error(*nodes.node, nodes.path, "expected at least one node");
    auto secret = at(n, path, "secret");
    cluster.secret = r_.string(secret).value_or("");
    // Says how long it is, never what it is: the error reaches logs.
    if (secret.node && cluster.secret.size() < 16)
      r_.error(*secret.node, secret.path,
               "expected a secret of at least 16 characters, found "
                   + std::to_string(cluster.secret.size()));
    if (auto ms = r_.positive_integer(at(n, path, "heartbeat_ms")))
      cluster.heartbeat = std::chrono::milliseconds(*ms);
    if (auto ms = r_.positive_integer(at(n, path, "node_timeout_ms")))
      cluster.node_timeout = std::chrono::milliseconds(*ms);
    if (auto tls = at(n, path, "tls"); tls.node && r_.map(*tls.node, tls.path)) {
      r_.check_keys(*tls.node, tls.path, {s::cluster_tls});
      tls_config t;
      t.certificate = r_.string(at(*tls.node, tls.path, "certificate")).value_or("");
      t.key = r_.string(at(*tls.node, tls.path, "key")).value_or("");
      t.ca_file = r_.string(at(*tls.node, tls.path, "ca_file")).value_or("");
      cluster.tls = t;
    }
    if (cluster.node_timeout <= cluster.heartbeat)
      r_.error(n, path + ".node_timeout_ms",
               "expected more than heartbeat_ms (" + std::to_string(cluster.heartbeat.count())
                   + "), found " + std::to_string(cluster.node_timeout.count()));
    return cluster;
  }

  std::optional<state_changelog_config> read_changelog(const yaml_node& n,
                                                       const std::string& path) {
    if (!r_.map(n, path))
      return std::nullopt;
    r_.check_keys(n, path, {s::state_changelog});
    state_changelog_config c;
    c.bootstrap_servers =
        r_.string_list(at(n, path, "bootstrap_servers")).value_or(c.bootstrap_servers);
    c.topic = r_.string(at(n, path, "topic"));
    if (auto t = r_.seconds(at(n, path, "timeout_sec")))
      c.timeout = *t;
    c.override_params = r_.string_map(at(n, path, "override_params")).value_or(c.override_params);
    return c;
  }

  void read_adapter(const yaml_node& n, const std::string& path, deployment_config& config) {
    if (!r_.map(n, path, true))
      return;
    r_.check_keys(n, path, {s::adapter_config});
    auto arroyo = at(n, path, "arroyo");
    if (!arroyo.node || !r_.map(*arroyo.node, arroyo.path, true))
      return;
    r_.check_keys(*arroyo.node, arroyo.path, {s::arroyo});
    config.write_healthcheck =
        r_.boolean(at(*arroyo.node, arroyo.path, "write_healthcheck")).value_or(false);
    if (config_reader::find(*arroyo.node, "sentry_sdk_config"))
      note(sdk_note);
  }

  segment_config read_segment(const yaml_node& n, const std::string& path, std::size_t index) {
    segment_config segment;
    if (!r_.map(n, path))
      return segment;
    r_.check_keys(n, path, {s::segment});
    segment.parallelism = r_.positive_integer(at(n, path, "parallelism"));
    read_nodes(n, path, segment);
    auto steps = at(n, path, "steps_config");
    if (!steps.node || !r_.map(*steps.node, steps.path, true))
      return segment;
    for (auto& e : steps.node->entries) {
      auto step_path = child_path(steps.path, e.key);
      auto step = find_step(e, step_path);
      if (!step)
        continue;
      auto [earlier, fresh] = configured_.emplace(e.key, path);
      if (!fresh) {
        r_.error(e.value, step_path,
                 "step configured twice, here and in " + earlier->second
                     + "; expected it in one segment");
        continue;
      }
      segment.steps.emplace(
          e.key, read_step(r_, e.value, step_path, *step, index, segment.parallelism.value_or(1)));
    }
    return segment;
  }

  /// A segment's `nodes`: each one of the cluster's, required with a cluster, refused without.
  void read_nodes(const yaml_node& n, const std::string& path, segment_config& segment) {
    auto nodes = at(n, path, "nodes");
    segment.nodes = r_.string_list(nodes).value_or(std::vector<std::string>{});
    if (!cluster_) {
      if (nodes.node)
        r_.error(*nodes.node, nodes.path,
                 "nodes need a cluster; expected a top-level cluster section naming them");
      return;
    }
    if (!nodes.node) {
      r_.error(n, nodes.path, "missing; expected the nodes of the cluster that run this segment");
      return;
    }
    if (nodes.node->type == yaml_node::kind::list && segment.nodes.empty())
      r_.error(*nodes.node, nodes.path, "expected at least one node");
    std::vector<std::string_view> known;
    for (auto& [name, address] : cluster_->nodes)
      known.push_back(name);
    std::set<std::string_view> seen;
    for (auto& name : segment.nodes) {
      if (!cluster_->nodes.count(name))
        r_.error(*nodes.node, nodes.path,
                 "no node '" + name + "' in the cluster; expected one of: " + join(known)
                     + did_you_mean(name, known));
      else if (!seen.insert(name).second)
        r_.error(*nodes.node, nodes.path, "node '" + name + "' listed twice");
    }
  }

  const step_node* find_step(const yaml_entry& e, const std::string& path) {
    if (auto i = pipeline_.find(e.key))
      return &pipeline_.step(*i);
    std::vector<std::string_view> names;
    for (auto& step : pipeline_.steps())
      names.push_back(step.name);
    yaml_node key_place;
    key_place.line = e.line;
    key_place.column = e.column;
    r_.error(key_place, path,
             "no such step in pipeline " + pipeline_.name() + "; expected one of: " + join(names)
                 + did_you_mean(e.key, names));
    return nullptr;
  }

  /// Kafka steps cannot run without brokers, so each must be configured by some segment.
  void require_kafka_steps(const yaml_node& segments) {
    for (auto& step : pipeline_.steps()) {
      auto role = role_of(step);
      bool kafka = role.section == s::kafka_source || role.section == s::kafka_sink;
      if (kafka && !configured_.count(step.name))
        r_.error(segments, "pipeline.segments[].steps_config." + step.name,
                 "missing settings for " + role.description
                     + "; expected them (with bootstrap_servers) in the steps_config of one "
                       "segment");
    }
  }

  const graph& pipeline_;
  const cluster_config* cluster_ = nullptr; ///< of the config being read, while it is read
  config_reader r_;
  load_result& result_;
  std::map<std::string, std::string> configured_; ///< step name -> path of its segment
};

} // namespace

std::optional<std::string> process_env(const std::string& name) {
  if (const char* v = std::getenv(name.c_str()))
    return std::string(v);
  return std::nullopt;
}

namespace {

load_result parse(std::string_view yaml, const std::string& file, const graph& pipeline,
                  const env_lookup& env) {
  load_result result;
  auto tree = parse_yaml(yaml, file, result.errors);
  if (!tree)
    return result;
  substitute_envvars(*tree, env, file, result.errors);
  auto config = loader(pipeline, file, result).read(*tree);
  // Substitution found its errors first; report everything in the order of the file.
  auto in_file_order = [](const config_error& a, const config_error& b) {
    return (a.line ? a.line : INT_MAX) < (b.line ? b.line : INT_MAX);
  };
  std::stable_sort(result.errors.begin(), result.errors.end(), in_file_order);
  std::stable_sort(result.warnings.begin(), result.warnings.end(), in_file_order);
  if (result.errors.empty())
    result.config = std::move(config);
  return result;
}

} // namespace

load_result parse_deployment_config(std::string_view yaml, const graph& pipeline,
                                    const env_lookup& env) {
  return parse(yaml, "", pipeline, env);
}

load_result load_deployment_config(const std::filesystem::path& file, const graph& pipeline,
                                   const env_lookup& env) {
  auto refuse = [&](std::string message) {
    load_result result;
    result.errors.push_back({"", std::move(message), file.string()});
    return result;
  };
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec))
    return refuse("is a directory; expected a YAML file");
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return refuse("cannot read the file: " + std::string(std::strerror(errno)));
  // Read one byte past the limit to tell a file at the limit from a larger one (or an endless
  // one: /dev/zero, a pipe).
  std::string text(yaml_limits::file_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad())
    return refuse("cannot read the file: " + std::string(std::strerror(errno)));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > yaml_limits::file_bytes)
    return refuse(too_large("larger than " + mebibytes(yaml_limits::file_bytes)));
  return parse(text, file.string(), pipeline, env);
}

} // namespace streams::config
