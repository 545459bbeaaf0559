#include "streams/deployment/config_binding.hpp"

#include "streams/dead_letter.hpp"
#include "streams/kafka/embedded_broker.hpp"
#include "streams/kafka/kafka_dead_letter_sink.hpp"
#include "streams/kafka/kafka_sink.hpp"
#include "streams/kafka/kafka_source.hpp"
#include "streams/kafka/state_changelog.hpp"
#include "streams/sinks/devnull_sink.hpp"
#include "streams/sinks/stream_sinks.hpp"

#include <map>
#include <set>

namespace streams::deploy {

namespace {

/// Partitions of the topics the embedded broker creates for a pipeline.
constexpr int embedded_partitions = 4;

/// Sends each dead letter to the dead-letter sink of the source it derives from, which
/// `to_dead_letter` names in its `streams-source` header.
class per_source_dead_letters : public sink {
public:
  per_source_dead_letters(std::map<std::string, std::unique_ptr<sink>> by_source,
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
    for (auto& [_, s] : by_source_)
      n += s->pending();
    return n + fallback_->pending();
  }
  void flush(delivery_report& report) override {
    for_each([&](sink& s) { s.flush(report); });
  }

private:
  sink& target(const message& m) {
    auto s = by_source_.find(last_header(m, "streams-source"));
    return s != by_source_.end() ? *s->second : *fallback_;
  }
  template <class F>
  void for_each(F f) {
    for (auto& [_, s] : by_source_)
      f(*s);
    f(*fallback_);
  }

  std::map<std::string, std::unique_ptr<sink>> by_source_;
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
    if (cfg_.drain_timeout)
      options.drain_timeout = *cfg_.drain_timeout;
    // A second more than the drain's deadline: the runtime's deadline is what fails a drain
    // (runtime.drain_timeout), the sinks' own bound only keeps a flush from outliving it.
    flush_timeout_ = options.drain_timeout + std::chrono::seconds(1);
    std::map<std::string, sink_factory> dlqs; // by source step
    std::uint32_t source_index = 0;           // the runtime numbers sources in step order
    for (std::size_t i = 0; i < g_.steps().size(); ++i) {
      auto& node = g_.step(i);
      auto* step = cfg_.step(node.name);
      bool transform = node.kind != step_kind::source && node.kind != step_kind::sink;
      if (transform)
        node.parallelism = step ? step->parallelism : inherited_parallelism(i);
      else if (step && step->parallelism > 1)
        note("step '" + node.name + "': parallelism " + std::to_string(step->parallelism)
             + " applies to transform steps; a source or sink runs one instance");
      if (step && step->multi_process) {
        if (transform)
          node.max_batch_in = step->multi_process->batch_size.value_or(0);
        note_multi_process(node.name, *step->multi_process);
      }
      if (auto* s = cfg_.settings<config::kafka_source_settings>(node.name)) {
        if (auto dlq = bind_source(node, *s, source_index))
          dlqs[node.name] = std::move(dlq);
      }
      if (node.kind == step_kind::source)
        ++source_index;
      if (auto* s = cfg_.settings<config::kafka_sink_settings>(node.name))
        bind_sink(node, *s);
      if (auto* s = cfg_.settings<config::devnull_sink_settings>(node.name))
        bind_devnull(node, *s);
      if (auto* s = cfg_.settings<config::batch_settings>(node.name))
        bind_batch(node, *s);
    }
    if (!dlqs.empty()) {
      result_.dead_letters = [dlqs] {
        std::map<std::string, std::unique_ptr<sink>> sinks;
        for (auto& [source, make] : dlqs)
          sinks[source] = make();
        return std::make_unique<per_source_dead_letters>(std::move(sinks),
                                                         std::make_unique<dead_letter_log_sink>());
      };
      options.dead_letters = result_.dead_letters;
    }
    if (cfg_.write_healthcheck)
      options.health_file = "/tmp/health.txt";
    if (cfg_.state_dir)
      options.state_dir = *cfg_.state_dir;
    bind_changelog(options);
    return std::move(result_);
  }

private:
  void note(std::string text) { result_.notes.push_back(std::move(text)); }

  void note_multi_process(const std::string& step, const config::multi_process_settings& m) {
    std::string batch;
    if (m.batch_size)
      batch += "; batches of at most " + std::to_string(*m.batch_size) + " messages";
    if (m.batch_time)
      batch += "; batch_time " + std::to_string(m.batch_time->count())
               + " ms is an upper bound: batches go as soon as credit allows";
    note("step '" + step + "': multi_process runs " + std::to_string(m.processes)
         + " instance(s) on threads of this process" + batch);
  }

  void bind_changelog(runtime_options& options) {
    if (!cfg_.state_changelog) {
      if (cfg_.cluster)
        for (auto& node : g_.steps())
          if (execution_plan::stateful(node.kind))
            note("step '" + node.name
                 + "' keeps state on the node that runs it, and no state_changelog replicates "
                   "it: when that node is lost, the step starts empty elsewhere while its "
                   "inputs' offsets are committed (docs/deploy.md)");
      return;
    }
    auto& c = *cfg_.state_changelog;
    kafka::changelog_config k;
    k.topic = c.topic.value_or(g_.name() + "-state-changelog");
    k.bootstrap_servers = servers(c.bootstrap_servers, k.topic);
    k.timeout = c.timeout;
    k.override_params = c.override_params;
    options.replicate_state = [k](std::unique_ptr<state_store> local, std::uint64_t generation) {
      auto with = k;
      with.generation = generation;
      return kafka::replicate_to_changelog(std::move(local), std::move(with));
    };
  }

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

  /// Binds a Kafka source and its handling of invalid messages; its dead-letter sink, if any.
  sink_factory bind_source(step_node& node, const config::kafka_source_settings& s,
                           std::uint32_t source_index) {
    kafka::source_config c;
    c.bootstrap_servers = servers(s.bootstrap_servers, s.topic);
    c.topic = s.topic;
    c.consumer_group = s.consumer_group.value_or(kafka::default_group(node.name));
    c.auto_offset_reset = to_kafka(s.auto_offset_reset.value_or(config::offset_reset::latest));
    c.strict_offset_reset = s.strict_offset_reset;
    if (s.connect_timeout)
      c.connect_timeout = *s.connect_timeout;
    c.override_params = s.override_params;
    auto spec = sources::kafka(c);
    node.make_source = std::move(spec.make);
    node.detail = spec.detail;
    invalid_policy policy;
    policy.action = s.on_invalid;
    if (s.dlq) {
      policy.max_invalid_ratio = s.dlq->max_invalid_ratio;
      policy.max_consecutive_count = s.dlq->max_consecutive_count;
    }
    node.on_invalid = policy;
    if (!s.dlq)
      return nullptr;
    kafka::sink_config d;
    d.bootstrap_servers = servers(s.dlq->bootstrap_servers, s.dlq->topic);
    d.topic = s.dlq->topic;
    d.override_params = s.dlq->override_params;
    d.flush_timeout = flush_timeout_;
    return [d, c, source_index] {
      return std::make_unique<kafka_dead_letter_sink>(d, c, source_index);
    };
  }

  void bind_sink(step_node& node, const config::kafka_sink_settings& s) {
    kafka::sink_config c;
    c.bootstrap_servers = servers(s.bootstrap_servers, s.topic);
    c.topic = s.topic;
    c.override_params = s.override_params;
    c.flush_timeout = flush_timeout_;
    if (s.connect_timeout)
      c.connect_timeout = *s.connect_timeout;
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
  std::chrono::milliseconds flush_timeout_{0}; // each Kafka sink's last flush
};

} // namespace

binding bind_config(graph& g, const config::deployment_config& cfg, runtime_options& options) {
  return binder(g, cfg).run(options);
}

placement placement_of(const config::deployment_config& cfg) {
  placement where;
  for (std::size_t i = 0; i < cfg.segments.size(); ++i) {
    for (auto& [name, step] : cfg.segments[i].steps)
      where.segment_of.emplace(name, i);
    where.nodes.push_back(cfg.segments[i].nodes);
  }
  return where;
}

} // namespace streams::deploy
