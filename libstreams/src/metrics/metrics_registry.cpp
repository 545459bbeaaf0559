#include "streams/metrics/metrics_registry.hpp"

#include "streams/metrics/metric_names.hpp"

#include <chrono>
#include <map>

namespace streams::metrics {

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void step_metrics::set_not_ready(std::string why) {
  std::lock_guard<std::mutex> lock(mutex_);
  not_ready_ = std::move(why);
}

std::string step_metrics::not_ready() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return not_ready_;
}

void step_metrics::set_partitions(std::vector<partition_position> p) {
  std::lock_guard<std::mutex> lock(mutex_);
  partitions_ = std::move(p);
}

std::vector<partition_position> step_metrics::partitions() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return partitions_;
}

step_metrics& metrics_registry::add(std::string step, step_role role) {
  return steps_.emplace_back(std::move(step), role);
}

namespace {

/// One step's instances summed.
struct step_totals {
  step_role role = step_role::transform;
  std::uint64_t messages_in = 0, bytes_in = 0, messages_out = 0, bytes_out = 0, errors = 0,
                dropped = 0, restarts = 0, backpressure_ns = 0;
  std::int64_t in_flight = 0;
  histogram::snapshot duration, latency, commit_latency;
  std::vector<partition_position> partitions;
};

} // namespace

std::vector<sample> metrics_registry::collect() const {
  std::map<std::string, step_totals> by_step;
  std::uint64_t dead_letters = 0;
  for (auto& m : steps_) {
    if (m.role == step_role::dead_letters) {
      dead_letters += m.messages_out.value();
      continue;
    }
    auto& t = by_step[m.step];
    t.role = m.role;
    t.messages_in += m.messages_in.value();
    t.bytes_in += m.bytes_in.value();
    t.messages_out += m.messages_out.value();
    t.bytes_out += m.bytes_out.value();
    t.errors += m.errors.value();
    t.dropped += m.dropped.value();
    t.restarts += m.restarts.value();
    t.backpressure_ns += m.backpressure_ns.value();
    t.in_flight += m.in_flight.value();
    t.duration += m.duration.read();
    t.latency += m.latency.read();
    t.commit_latency += m.commit_latency.read();
    if (m.role == step_role::source)
      t.partitions = m.partitions();
  }

  std::vector<sample> out;
  auto add = [&](const char* name, sample::kind_t kind, const std::string& step,
                 double value) -> sample& {
    sample& s = out.emplace_back();
    s.name = name;
    s.kind = kind;
    s.tags = {{"pipeline", pipeline_}, {"step", step}};
    s.value = value;
    return s;
  };
  auto d = [](std::uint64_t v) { return static_cast<double>(v); };
  for (auto& [step, t] : by_step) {
    if (t.role != step_role::source) {
      add(names::input_messages, sample::counter, step, d(t.messages_in));
      add(names::input_bytes, sample::counter, step, d(t.bytes_in));
    }
    // A sink's messages out are those delivered.
    add(names::output_messages, sample::counter, step, d(t.messages_out));
    if (t.role != step_role::sink) {
      add(names::output_bytes, sample::counter, step, d(t.bytes_out));
      add(names::backpressure, sample::counter, step, d(t.backpressure_ns) / 1e9);
    }
    add(names::errors, sample::counter, step, d(t.errors));
    add(names::in_flight, sample::gauge, step, static_cast<double>(t.in_flight));
    // Sources and sinks are not restarted (their failure stops the pipeline): 0, for
    // dashboards that watch every step alike.
    add(names::restarts, sample::counter, step, d(t.restarts));
    if (t.role == step_role::transform) {
      add(names::dropped, sample::counter, step, d(t.dropped));
      add(names::duration, sample::histogram, step, 0).buckets = t.duration;
    }
    if (t.role == step_role::source)
      add(names::commit_latency, sample::histogram, step, 0).buckets = t.commit_latency;
    if (t.role == step_role::sink)
      add(names::latency, sample::histogram, step, 0).buckets = t.latency;
    for (auto& p : t.partitions) {
      auto partition = std::to_string(p.partition);
      if (p.committed >= 0)
        add(names::committed_offset, sample::gauge, step, static_cast<double>(p.committed))
            .tags.emplace_back("partition", partition);
      if (p.high_watermark >= 0 && p.lag_base >= 0)
        add(names::lag, sample::gauge, step, static_cast<double>(p.high_watermark - p.lag_base))
            .tags.emplace_back("partition", partition);
    }
  }
  sample dlq;
  dlq.name = names::dlq_messages;
  dlq.tags = {{"pipeline", pipeline_}};
  dlq.value = static_cast<double>(dead_letters);
  out.push_back(std::move(dlq));
  return out;
}

} // namespace streams::metrics
