#include "streams/actors/runtime.hpp"

#include "log.hpp"
#include "step_actors.hpp"
#include "supervisor.hpp"

#include "streams/error.hpp"
#include "streams/execution_plan.hpp"
#include "streams/pipeline.hpp"
#include "streams/sinks/stream_sinks.hpp"
#include "streams/state/state_store.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/logger.hpp>
#include <caf/scoped_actor.hpp>

#include <filesystem>
#include <future>
#include <thread>

namespace streams {

using namespace actors;

const step_stats* run_result::find(const std::string& step) const {
  for (auto& s : steps)
    if (s.name == step)
      return &s;
  return nullptr;
}

struct runtime::impl {
  const graph& g;
  runtime_options options;
  std::unique_ptr<caf::actor_system_config> cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::actor supervisor;
  std::unique_ptr<state_store> store; // opened when some step is stateful
  std::unique_ptr<metrics::metrics_registry> registry;
  std::future<run_result> result;
  bool started = false;
  bool waited = false;

  impl(const graph& graph, runtime_options opts) : g(graph), options(std::move(opts)) {}

  void open_state(const execution_plan& plan, const std::vector<setup_ptr>& setups);

  /// The source step a step's messages derive from: steps have one input each, so one.
  std::size_t root_source(std::size_t step) const {
    while (auto in = g.input(step))
      step = in->from;
    return step;
  }

  /// Makes the step's connector or operator now, so that a bad file or setting fails start().
  setup_ptr make_setup(std::size_t index) const {
    auto& node = g.step(index);
    auto setup = std::make_shared<step_setup>();
    setup->name = node.name;
    setup->options = options;
    auto role = node.kind == step_kind::source ? metrics::step_role::source
                : node.kind == step_kind::sink ? metrics::step_role::sink
                                               : metrics::step_role::transform;
    setup->metrics = &registry->add(node.name, role);
    if (role != metrics::step_role::transform)
      setup->metrics->set_not_ready("starting");
    try {
      switch (node.kind) {
        case step_kind::source: setup->src = node.make_source(); break;
        case step_kind::sink: setup->snk = node.make_sink(); break;
        default: setup->make_operator = node.make_operator; setup->op = node.make_operator();
      }
    } catch (const error& e) { // keeps its layer's code and category
      throw error(e.code(), {e.category(), e.retryable()}, "step '" + node.name + "': " + e.what());
    } catch (const std::exception& e) {
      throw core_error(errc::step_setup, "step '" + node.name + "': " + e.what());
    }
    return setup;
  }
};

/// Opens the pipeline's state store when a step is stateful, and each stateful operator on it.
void runtime::impl::open_state(const execution_plan& plan, const std::vector<setup_ptr>& setups) {
  for (std::size_t n = 0; n < setups.size(); ++n) {
    auto& setup = *setups[n];
    if (!setup.op || !setup.op->stateful())
      continue;
    if (!store) {
      auto where = options.state_dir == memory_state
                       ? options.state_dir
                       : (std::filesystem::path(options.state_dir) / g.name()).string();
      store = open_state_store(where);
    }
    auto& instance = plan.instances()[n];
    try {
      setup.op->open(
          {setup.name, instance.replica, plan.instances_of(instance.step).size(), store.get()});
    } catch (const std::exception& e) {
      throw std::runtime_error("step '" + setup.name + "': cannot restore its state: " + e.what());
    }
  }
}

runtime::runtime(const graph& g, runtime_options opts)
    : impl_(std::make_unique<impl>(g, std::move(opts))) {}

runtime::~runtime() {
  if (impl_->started && !impl_->waited) {
    stop();
    wait();
  }
}

void runtime::start() {
  auto& d = *impl_;
  if (d.started)
    throw std::logic_error("runtime::start called twice");
  d.g.validate();
  // Before anything slow (opening the state store, connectors): a signal meanwhile is kept
  // and drains the pipeline as soon as it runs, instead of killing the process.
  if (d.options.stop_on_signals)
    install_signal_handlers();
  auto& steps = d.g.steps();
  d.registry = std::make_unique<metrics::metrics_registry>(d.g.name());
  execution_plan plan(d.g);
  auto& instances = plan.instances();
  std::vector<setup_ptr> setups; // by instance, each with a connector or operator of its own
  for (auto& instance : instances) {
    setups.push_back(d.make_setup(instance.step));
    auto& setup = *setups.back();
    setup.source_index = instance.ack_index.value_or(0);
    // The plan knows stateful steps by kind; an operator that keeps state elsewhere would get
    // no acks for its outputs.
    if (setup.op && setup.op->stateful() != execution_plan::stateful(steps[instance.step].kind))
      throw std::logic_error("step '" + setup.name
                             + "': its operator's statefulness does not "
                               "match its kind");
  }
  d.open_state(plan, setups);
  auto dlq = std::make_shared<step_setup>();
  dlq->name = "dead-letters";
  dlq->options = d.options;
  dlq->metrics = &d.registry->add(dlq->name, metrics::step_role::dead_letters);
  dlq->snk =
      d.options.dead_letters ? d.options.dead_letters() : std::make_unique<dead_letter_log_sink>();

  d.cfg = std::make_unique<caf::actor_system_config>();
  auto threads =
      d.options.threads ? d.options.threads : std::max(2u, std::thread::hardware_concurrency());
  d.cfg->set("scheduler.max-threads", threads);
  // Workers that block on a shared queue: CAF's work stealing keeps idle workers polling
  // (50 us sleeps), which cost an idle pipeline 40% of 2 cores; sharing costs ~5% of the
  // in-memory benchmark's rate.
  d.cfg->set("scheduler.policy", caf::atom("sharing"));
  d.cfg->set("logger.verbosity", caf::atom("quiet"));
  d.sys = std::make_unique<caf::actor_system>(*d.cfg);

  // Spawn every actor first, then wire them: sources need their sinks and vice versa.
  std::vector<managed_actor> actors; // by instance
  std::size_t transforms = 0, sink_instances = 0;
  for (std::size_t n = 0; n < instances.size(); ++n) {
    auto kind = steps[instances[n].step].kind;
    managed_actor a{steps[instances[n].step].name, {}, {}, kind == step_kind::source};
    switch (kind) {
      case step_kind::source: a.handle = spawn_source(*d.sys, setups[n]); break;
      case step_kind::sink:
        a.handle = spawn_sink(*d.sys, setups[n]);
        ++sink_instances;
        break;
      default: a.handle = spawn_transform(*d.sys, setups[n]); ++transforms;
    }
    actors.push_back(std::move(a));
  }
  std::vector<caf::actor> acks; // by ack index
  for (auto n : plan.ack_targets())
    acks.push_back(actors[n].handle);
  managed_actor dead_letters{dlq->name, spawn_sink(*d.sys, dlq), {}, false};

  std::size_t sinks = sink_instances + 1; // and the dead-letter sink
  for (std::size_t n = 0; n < instances.size(); ++n) {
    auto step = instances[n].step;
    auto root = d.root_source(step);
    auto& w = actors[n].w;
    w.sources = acks;
    w.dead_letters = dead_letters.handle;
    w.sink_count = sinks;
    w.source = *instances[plan.instances_of(root).front()].ack_index;
    w.source_name = steps[root].name;
    w.on_invalid = steps[root].on_invalid.value_or(d.options.on_invalid);
    if (auto in = d.g.input(step)) {
      w.upstream_port = static_cast<std::uint32_t>(in->port);
      w.upstream_count = plan.feeders(n, *in);
    }
    for (auto& out : d.g.outputs(step)) {
      w.downstream.emplace_back();
      for (auto next : plan.targets(n, out))
        w.downstream.back().push_back(actors[next].handle);
      w.downstream_keys.push_back(plan.spread_of(out) == spread::by_key ? steps[out.to].group_key
                                                                        : nullptr);
    }
  }
  dead_letters.w.sources = acks;
  // Transforms send the invalid messages their operators reject, sinks those their
  // destination refuses: it ends once all of them have ended.
  dead_letters.w.upstream_count = transforms + sink_instances;
  actors.push_back(std::move(dead_letters));

  auto promise = std::make_shared<std::promise<run_result>>();
  d.result = promise->get_future();
  d.supervisor = spawn_supervisor(*d.sys, std::move(actors), d.options, *d.registry, promise);
  // Spawning made this thread hold the actor system's logger (a thread-local reference).
  // Destroying the system waits until its logger is gone, so a wait() on any other thread
  // would wait forever for this one to let go: let go now.
  caf::logger::set_current_actor_system(nullptr);
  d.started = true;
}

void runtime::stop() {
  if (impl_->started && !impl_->waited)
    caf::anon_send(impl_->supervisor, stop_atom::value);
}

run_result runtime::wait() {
  auto& d = *impl_;
  if (!d.started)
    throw std::logic_error("runtime::wait called before start");
  if (d.waited)
    throw std::logic_error("runtime::wait called twice");
  auto result = d.result.get();
  d.waited = true;
  d.supervisor = nullptr;
  d.sys.reset(); // waits for every actor to finish
  d.store.reset();
  return result;
}

const metrics::metrics_registry& runtime::metrics() const {
  if (!impl_->registry)
    throw std::logic_error("runtime::metrics called before start");
  return *impl_->registry;
}

metrics::health_check runtime::liveness() const {
  return metrics::check_liveness(metrics(), impl_->options.stall_timeout);
}

metrics::health_check runtime::readiness() const { return metrics::check_readiness(metrics()); }

run_result run(const pipeline& p, runtime_options opts) {
  runtime r(p.graph(), std::move(opts));
  r.start();
  return r.wait();
}

} // namespace streams
