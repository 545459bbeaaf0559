#include "config_binding.hpp"

#include "streams/dead_letter.hpp"
#include "streams/kafka/embedded_broker.hpp"
#include "streams/kafka/kafka_sink.hpp"
#include "streams/kafka/kafka_source.hpp"
#include "streams/sinks/devnull_sink.hpp"
#include "streams/sinks/stream_sinks.hpp"

#include <algorithm>
#include <set>

namespace streams::cli {

namespace {

/// Partitions of the topics the embedded broker creates for a pipeline.
constexpr int embedded_partitions = 4;

/// Sends each dead letter to the dead-letter sink of the source it came from.
class per_source_dead_letters : public sink {
public:
  per_source_dead_letters(std::vector<std::unique_ptr<sink>> by_source,
                          std::unique_ptr<sink> fallback)
      : by_source_(std::move(by_source)), fallback_(std::move(fallback)) {}

  void write(std::vector<message>& batch, delivery_report& report) override {
    for (auto& m : batch) {
      std::vector<message> one;
      one.push_back(std::move(m));
      target(one.front()).write(one, report);
    }
  }
  void poll(delivery_report& report) override {
    for_each([&](sink& s) { s.poll(report); });
  }
  std::size_t pending() const override {
    std::size_t n = 0;
    for (auto& s : by_source_)
      if (s)
        n += s->pending();
    return n + fallback_->pending();
  }
  void flush(delivery_report& report) override {
    for_each([&](sink& s) { s.flush(report); });
  }

private:
  sink& target(const message& m) {
    auto o = m.lineage().origins();
    if (!o.empty() && o.front().source < by_source_.size() && by_source_[o.front().source])
      return *by_source_[o.front().source];
    return *fallback_;
  }
  template <class F>
  void for_each(F f) {
    for (auto& s : by_source_)
      if (s)
        f(*s);
    f(*fallback_);
  }

  std::vector<std::unique_ptr<sink>> by_source_;
  std::unique_ptr<sink> fallback_;
};

std::string join(const std::vector<std::string>& servers) {
  std::string out;
  for (auto& s : servers)
    out += (out.empty() ? "" : ",") + s;
  return out;
}

kafka::offset_reset to_kafka(config::offset_reset r) {
  switch (r) {
    case config::offset_reset::earliest: return kafka::offset_reset::earliest;
    case config::offset_reset::latest: return kafka::offset_reset::latest;
    case config::offset_reset::error: return kafka::offset_reset::error;
  }
  return kafka::offset_reset::earliest;
}

class binder {
public:
  binder(graph& g, const config::deployment_config& cfg) : g_(g), cfg_(cfg) {}

  binding run(runtime_options& options) {
    std::vector<std::function<std::unique_ptr<sink>()>> dlqs;
    for (std::size_t i = 0; i < g_.steps().size(); ++i) {
      auto& node = g_.step(i);
      auto* step = cfg_.step(node.name);
      bool transform = node.kind != step_kind::source && node.kind != step_kind::sink;
      if (transform)
        node.parallelism = step ? step->parallelism : inherited_parallelism(i);
      else if (step && step->parallelism > 1)
        note("step '" + node.name + "': parallelism " + std::to_string(step->parallelism)
             + " applies to transform steps; a source or sink runs one instance");
      if (auto* s = cfg_.settings<config::kafka_source_settings>(node.name))
        dlqs.push_back(bind_source(node, *s));
      else if (node.kind == step_kind::source)
        dlqs.push_back(nullptr);
      if (auto* s = cfg_.settings<config::kafka_sink_settings>(node.name))
        bind_sink(node, *s);
      if (auto* s = cfg_.settings<config::devnull_sink_settings>(node.name))
        bind_devnull(node, *s);
      if (auto* s = cfg_.settings<config::batch_settings>(node.name))
        bind_batch(node, *s);
    }
    if (std::any_of(dlqs.begin(), dlqs.end(), [](auto& f) { return bool(f); })) {
      result_.dead_letters = [dlqs] {
        std::vector<std::unique_ptr<sink>> sinks;
        for (auto& f : dlqs)
          sinks.push_back(f ? f() : nullptr);
        return std::make_unique<per_source_dead_letters>(std::move(sinks),
                                                         std::make_unique<dead_letter_log_sink>());
      };
      options.dead_letters = result_.dead_letters;
    }
    if (cfg_.write_healthcheck)
      options.health_file = "/tmp/health.txt";
    if (cfg_.state_dir)
      options.state_dir = *cfg_.state_dir;
    return std::move(result_);
  }

private:
  void note(std::string text) { result_.notes.push_back(std::move(text)); }

  /// The bootstrap servers, starting the embedded broker for `[embedded]`.
  std::string servers(const std::vector<std::string>& list, const std::string& topic) {
    if (list.size() != 1 || list.front() != "embedded")
      return join(list);
    if (!result_.broker) {
      result_.broker = std::make_shared<kafka::embedded_broker>(1);
      note("bootstrap_servers [embedded]: started the embedded Kafka broker at "
           + result_.broker->bootstrap_servers()
           + " - in memory, for development only, everything is lost when this process ends");
    }
    if (topics_.insert(topic).second)
      result_.broker->create_topic(topic, embedded_partitions);
    return result_.broker->bootstrap_servers();
  }

  /// The parallelism of a step that no segment names: its segment's, the segment being that
  /// of the nearest step before it that one names (a segment runs from its steps onwards).
  std::size_t inherited_parallelism(std::size_t step) const {
    for (auto in = g_.input(step); in; in = g_.input(in->from))
      if (auto* named = cfg_.step(g_.step(in->from).name))
        return cfg_.segments.at(named->segment).parallelism.value_or(1);
    return cfg_.segments.empty() ? 1 : cfg_.segments.front().parallelism.value_or(1);
  }

  std::function<std::unique_ptr<sink>()> bind_source(step_node& node,
                                                     const config::kafka_source_settings& s) {
    kafka::source_config c;
    c.bootstrap_servers = servers(s.bootstrap_servers, s.topic);
    c.topic = s.topic;
    c.consumer_group = s.consumer_group.value_or(kafka::default_group(g_.name(), node.name));
    if (s.auto_offset_reset)
      c.auto_offset_reset = to_kafka(*s.auto_offset_reset);
    c.override_params = s.override_params;
    auto spec = sources::kafka(c);
    node.make_source = std::move(spec.make);
    node.detail = spec.detail;
    if (!s.dlq)
      return nullptr;
    kafka::sink_config d;
    d.bootstrap_servers = servers(s.dlq->bootstrap_servers, s.dlq->topic);
    d.topic = s.dlq->topic;
    d.override_params = s.dlq->override_params;
    return sinks::kafka(d).make;
  }

  void bind_sink(step_node& node, const config::kafka_sink_settings& s) {
    kafka::sink_config c;
    c.bootstrap_servers = servers(s.bootstrap_servers, s.topic);
    c.topic = s.topic;
    c.override_params = s.override_params;
    auto spec = sinks::kafka(c);
    node.make_sink = std::move(spec.make);
    node.detail = spec.detail;
  }

  void bind_devnull(step_node& node, const config::devnull_sink_settings& s) {
    devnull_options o;
    o.batch_size = s.batch_size.value_or(0);
    o.batch_time = s.batch_time.value_or(o.batch_time);
    o.average_sleep = s.average_sleep_time.value_or(o.average_sleep);
    o.max_sleep = s.max_sleep_time.value_or(o.max_sleep);
    node.make_sink = [o] { return std::make_unique<devnull_sink>(o); };
  }

  void bind_batch(step_node& node, const config::batch_settings& s) {
    if (s.batch_size)
      node.batch->max_messages = *s.batch_size;
    if (s.batch_timedelta)
      node.batch->max_wait = *s.batch_timedelta;
    node.detail = std::to_string(node.batch->max_messages) + " messages or "
                  + std::to_string(node.batch->max_wait.count()) + " ms";
  }

  graph& g_;
  const config::deployment_config& cfg_;
  binding result_;
  std::set<std::string> topics_;
};

} // namespace

binding bind_config(graph& g, const config::deployment_config& cfg, runtime_options& options) {
  return binder(g, cfg).run(options);
}

} // namespace streams::cli
