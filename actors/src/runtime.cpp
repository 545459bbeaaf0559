#include "streams/actors/runtime.hpp"

#include "log.hpp"
#include "step_actors.hpp"
#include "supervisor.hpp"

#include "streams/error.hpp"
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

  void open_state(const std::vector<std::vector<setup_ptr>>& setups);

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
    } catch (const std::exception& e) {
      throw std::runtime_error("step '" + node.name + "': " + e.what());
    }
    return setup;
  }
};

/// Opens the pipeline's state store when a step is stateful, and each stateful operator on it.
void runtime::impl::open_state(const std::vector<std::vector<setup_ptr>>& setups) {
  for (auto& instances : setups)
    for (std::size_t k = 0; k < instances.size(); ++k) {
      auto& setup = *instances[k];
      if (!setup.op || !setup.op->stateful())
        continue;
      if (!store) {
        auto where = options.state_dir == memory_state
                         ? options.state_dir
                         : (std::filesystem::path(options.state_dir) / g.name()).string();
        store = open_state_store(where);
      }
      try {
        setup.op->open({setup.name, k, instances.size(), store.get()});
      } catch (const std::exception& e) {
        throw std::runtime_error("step '" + setup.name
                                 + "': cannot restore its state: " + e.what());
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

  // One actor per instance: a transform step runs `parallelism` of them, each with an
  // operator of its own; a source or sink runs one.
  std::vector<std::vector<setup_ptr>> setups(steps.size());
  for (std::size_t i = 0; i < steps.size(); ++i) {
    auto& node = steps[i];
    bool transform = node.kind != step_kind::source && node.kind != step_kind::sink;
    auto instances = transform ? std::max<std::size_t>(1, node.parallelism) : 1;
    for (std::size_t k = 0; k < instances; ++k)
      setups[i].push_back(d.make_setup(i));
  }
  d.open_state(setups);
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
  std::vector<std::vector<managed_actor>> actors(steps.size()); // per step, its instances
  std::vector<caf::actor> sources;
  std::size_t transforms = 0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    for (auto& setup : setups[i]) {
      managed_actor a{steps[i].name, {}, {}, false};
      switch (steps[i].kind) {
        case step_kind::source:
          setup->source_index = static_cast<std::uint32_t>(sources.size());
          a.handle = spawn_source(*d.sys, setup);
          a.is_source = true;
          sources.push_back(a.handle);
          break;
        case step_kind::sink: a.handle = spawn_sink(*d.sys, setup); break;
        default: a.handle = spawn_transform(*d.sys, setup); ++transforms;
      }
      actors[i].push_back(std::move(a));
    }
  }
  // Stateful instances take acks too (for their own outputs), after the sources.
  for (std::size_t i = 0; i < steps.size(); ++i)
    for (std::size_t k = 0; k < setups[i].size(); ++k)
      if (setups[i][k]->op && setups[i][k]->op->stateful()) {
        setups[i][k]->source_index = static_cast<std::uint32_t>(sources.size());
        sources.push_back(actors[i][k].handle);
      }
  managed_actor dead_letters{dlq->name, spawn_sink(*d.sys, dlq), {}, false};

  std::size_t sinks = d.g.sinks().size() + 1; // and the dead-letter sink
  std::vector<managed_actor> all;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    for (auto& a : actors[i]) {
      auto& w = a.w;
      w.sources = sources;
      w.dead_letters = dead_letters.handle;
      w.sink_count = sinks;
      if (auto in = d.g.input(i)) {
        w.upstream_port = static_cast<std::uint32_t>(in->port);
        w.upstream_count = actors[in->from].size();
      }
      for (auto& out : d.g.outputs(i)) {
        w.downstream.emplace_back();
        for (auto& next : actors[out.to])
          w.downstream.back().push_back(next.handle);
        w.downstream_keys.push_back(actors[out.to].size() > 1 ? steps[out.to].group_key : nullptr);
      }
      all.push_back(a);
    }
  }
  dead_letters.w.sources = sources;
  dead_letters.w.upstream_count = transforms;
  all.push_back(std::move(dead_letters));

  auto promise = std::make_shared<std::promise<run_result>>();
  d.result = promise->get_future();
  d.supervisor = spawn_supervisor(*d.sys, std::move(all), d.options, *d.registry, promise);
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
