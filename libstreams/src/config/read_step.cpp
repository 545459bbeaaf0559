#include "read_step.hpp"

#include "key_path.hpp"

#include <cmath>
#include <string_view>
#include <utility>

namespace streams::config::detail {

namespace {

using s = key_section;

std::optional<offset_reset> read_offset_reset(config_reader& r, const field& f) {
  return r.one_of<offset_reset>(f, {{"earliest", offset_reset::earliest},
                                    {"latest", offset_reset::latest},
                                    {"error", offset_reset::error}});
}

/// The topic, defaulting to the step's stream name, which a graph built by hand may lack.
std::string read_topic(config_reader& r, const yaml_node& n, const std::string& path,
                       const step_node& step, std::string_view role) {
  if (auto t = r.string(at(n, path, "topic")))
    return *t;
  if (step.stream_name.empty() && !config_reader::find(n, "topic"))
    r.error(n, child_path(path, "topic"),
            "missing; expected a string, as the pipeline gives " + std::string(role)
                + " no stream name to default to");
  return step.stream_name;
}

std::optional<dlq_settings> read_dlq(config_reader& r, const field& f,
                                     const std::string& default_topic) {
  if (!f.node || !r.map(*f.node, f.path))
    return std::nullopt;
  auto& n = *f.node;
  r.check_keys(n, f.path, {s::dlq}, "a dead-letter queue");
  dlq_settings d;
  d.topic = r.string(at(n, f.path, "topic")).value_or(default_topic);
  if (auto v = r.string_list(at(n, f.path, "bootstrap_servers")))
    d.bootstrap_servers = std::move(*v);
  if (auto v = r.string_map(at(n, f.path, "override_params")))
    d.override_params = std::move(*v);
  auto ratio = at(n, f.path, "max_invalid_ratio");
  d.max_invalid_ratio = r.number(ratio);
  if (d.max_invalid_ratio && *d.max_invalid_ratio < 0) {
    r.error(*ratio.node, ratio.path, "expected a ratio of at least 0, found " + ratio.node->text);
    d.max_invalid_ratio.reset();
  }
  if (auto v = r.integer(at(n, f.path, "max_consecutive_count"), 0))
    d.max_consecutive_count = static_cast<std::uint64_t>(*v);
  return d;
}

/// `on_invalid`, which must agree with whether a `dlq` is given.
on_invalid read_on_invalid(config_reader& r, const field& f, bool has_dlq) {
  auto chosen = r.one_of<on_invalid>(
      f,
      {{"stop", on_invalid::stop}, {"drop", on_invalid::drop}, {"dlq", on_invalid::dead_letter}});
  auto fallback = has_dlq ? on_invalid::dead_letter : on_invalid::stop;
  if (!chosen)
    return fallback;
  if (*chosen == on_invalid::dead_letter && !has_dlq)
    r.error(*f.node, f.path, "dlq needs the source's dlq section (the topic and its brokers)");
  else if (*chosen != on_invalid::dead_letter && has_dlq)
    r.error(*f.node, f.path,
            std::string(to_string(*chosen))
                + " leaves the source's dlq section unused: remove one of them");
  return *chosen;
}

kafka_source_settings read_kafka_source(config_reader& r, const yaml_node& n,
                                        const std::string& path, const step_node& step) {
  kafka_source_settings k;
  if (auto v = r.string_list(at(n, path, "bootstrap_servers")))
    k.bootstrap_servers = std::move(*v);
  k.topic = read_topic(r, n, path, step, "the source");
  k.consumer_group = r.string(at(n, path, "consumer_group"));
  k.auto_offset_reset = read_offset_reset(r, at(n, path, "auto_offset_reset"));
  k.strict_offset_reset = r.boolean(at(n, path, "strict_offset_reset")).value_or(false);
  k.connect_timeout = r.seconds(at(n, path, "connect_timeout_sec"));
  if (auto v = r.string_map(at(n, path, "override_params")))
    k.override_params = std::move(*v);
  k.dlq = read_dlq(r, at(n, path, "dlq"),
                   step.dlq_stream_name.empty() ? k.topic + "-dlq" : step.dlq_stream_name);
  k.on_invalid = read_on_invalid(r, at(n, path, "on_invalid"), k.dlq.has_value());
  return k;
}

kafka_sink_settings read_kafka_sink(config_reader& r, const yaml_node& n, const std::string& path,
                                    const step_node& step) {
  kafka_sink_settings k;
  if (auto v = r.string_list(at(n, path, "bootstrap_servers")))
    k.bootstrap_servers = std::move(*v);
  k.topic = read_topic(r, n, path, step, "the sink");
  k.connect_timeout = r.seconds(at(n, path, "connect_timeout_sec"));
  if (auto v = r.string_map(at(n, path, "override_params")))
    k.override_params = std::move(*v);
  return k;
}

/// `{minutes: 1, seconds: 5}`: the units of Python's timedelta, added up.
std::optional<std::chrono::milliseconds> read_timedelta(config_reader& r, const field& f) {
  if (!f.node)
    return std::nullopt;
  auto& n = *f.node;
  if (n.type != yaml_node::kind::map) {
    r.mismatch(n, f.path, "a map of durations such as {seconds: 20}");
    return std::nullopt;
  }
  r.check_keys(n, f.path, {s::batch_timedelta}, "a duration");
  static const std::pair<std::string_view, double> units_in_ms[] = {
      {"weeks", 7 * 24 * 3600e3}, {"days", 24 * 3600e3}, {"hours", 3600e3},      {"minutes", 60e3},
      {"seconds", 1e3},           {"milliseconds", 1},   {"microseconds", 1e-3},
  };
  double total = 0;
  bool ok = true;
  for (auto& [unit, ms] : units_in_ms) {
    auto v = at(n, f.path, unit);
    if (auto x = r.number(v))
      total += *x * ms;
    else if (v.node)
      ok = false;
  }
  if (!ok)
    return std::nullopt;
  auto rounded = std::chrono::milliseconds(std::llround(total));
  if (rounded.count() <= 0) {
    r.error(n, f.path,
            "expected a duration of at least 1 millisecond, found " + std::to_string(total)
                + " ms");
    return std::nullopt;
  }
  return rounded;
}

batch_settings read_batch(config_reader& r, const yaml_node& n, const std::string& path) {
  batch_settings b;
  b.batch_size = r.positive_integer(at(n, path, "batch_size"));
  b.batch_timedelta = read_timedelta(r, at(n, path, "batch_timedelta"));
  return b;
}

devnull_sink_settings read_devnull(config_reader& r, const yaml_node& n, const std::string& path) {
  devnull_sink_settings d;
  d.batch_size = r.positive_integer(at(n, path, "batch_size"));
  d.batch_time = r.milliseconds(at(n, path, "batch_time_ms"));
  auto average = at(n, path, "average_sleep_time_ms");
  auto max = at(n, path, "max_sleep_time_ms");
  d.average_sleep_time = r.milliseconds(average);
  d.max_sleep_time = r.milliseconds(max);
  // As Sentry Streams' DevNullSink: an average needs a bound to draw sleeps below.
  if (average.node && !max.node)
    r.error(n, max.path,
            "missing; expected a positive number of milliseconds, required with "
            "average_sleep_time_ms");
  if (d.average_sleep_time && d.max_sleep_time && *d.max_sleep_time < *d.average_sleep_time)
    r.error(*max.node, max.path,
            "expected at least average_sleep_time_ms (" + average.node->text + "), found "
                + max.node->text);
  return d;
}

/// Sentry Streams' `{multi_process: {processes: N, batch_size: B, batch_time: T}}`.
std::optional<multi_process_settings> read_multi_process(config_reader& r, const field& f) {
  if (!r.map(*f.node, f.path))
    return std::nullopt;
  r.check_keys(*f.node, f.path, {s::parallelism}, "a step's parallelism");
  auto pool = at(*f.node, f.path, "multi_process");
  if (!pool.node || !r.map(*pool.node, pool.path))
    return std::nullopt;
  auto& n = *pool.node;
  r.check_keys(n, pool.path, {s::multi_process}, "a process pool");
  for (auto key :
       {"input_block_size", "output_block_size", "max_input_block_size", "max_output_block_size"})
    r.positive_integer(at(n, pool.path, key));
  auto processes = r.positive_integer(at(n, pool.path, "processes"));
  if (!processes)
    return std::nullopt;
  multi_process_settings m;
  m.processes = *processes;
  m.batch_size = r.positive_integer(at(n, pool.path, "batch_size"));
  if (auto seconds = r.positive_number(at(n, pool.path, "batch_time")))
    m.batch_time = std::chrono::milliseconds(std::llround(*seconds * 1000));
  return m;
}

} // namespace

step_role role_of(const step_node& step) {
  bool source = step.kind == step_kind::source;
  bool sink = step.kind == step_kind::sink;
  if (source && step.connector == "kafka")
    return {s::kafka_source, "a Kafka source"};
  if (sink && step.connector == "kafka")
    return {s::kafka_sink, "a Kafka sink"};
  if (sink && step.connector == "devnull")
    return {s::devnull_sink, "a devnull sink"};
  if (step.kind == step_kind::batch)
    return {s::batch, "a batch step"};
  if (source || sink) {
    auto what = std::string(source ? "source" : "sink");
    return {s::any_step, with_article(step.connector.empty() ? what : step.connector + " " + what)};
  }
  return {s::any_step, with_article(std::string(to_string(step.kind)) + " step")};
}

step_config read_step(config_reader& r, const yaml_node& n, const std::string& path,
                      const step_node& step, std::size_t segment, std::size_t parallelism) {
  step_config out;
  out.name = step.name;
  out.segment = segment;
  out.parallelism = parallelism;
  auto role = role_of(step);
  if (!r.map(n, path, true))
    return out;
  if (role.section == s::any_step)
    r.check_keys(n, path, {s::any_step}, role.description);
  else
    r.check_keys(n, path, {s::any_step, role.section}, role.description);

  auto p = at(n, path, "parallelism");
  if (p.node && p.node->type == yaml_node::kind::map) {
    out.multi_process = read_multi_process(r, p);
    if (out.multi_process)
      out.parallelism = out.multi_process->processes;
  } else {
    out.parallelism = r.positive_integer(p).value_or(parallelism);
  }
  out.starts_segment = r.boolean(at(n, path, "starts_segment")).value_or(false);
  switch (role.section) {
    case s::kafka_source: out.settings = read_kafka_source(r, n, path, step); break;
    case s::kafka_sink: out.settings = read_kafka_sink(r, n, path, step); break;
    case s::batch: out.settings = read_batch(r, n, path); break;
    case s::devnull_sink: out.settings = read_devnull(r, n, path); break;
    default: break;
  }
  return out;
}

} // namespace streams::config::detail
