#include "streams/actors/runtime.hpp"
#include "streams/actors/scheduler.hpp"

#include "supervisor.hpp"

#include "streams/actors/plan_part.hpp"
#include "streams/actors/stop_signals.hpp"
#include "streams/pipeline.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/logger.hpp>

#include <algorithm>
#include <stdexcept>
#include <thread>

namespace streams {

using namespace actors;

const step_stats* run_result::find(const std::string& step) const {
  for (auto& s : steps)
    if (s.name == step)
      return &s;
  return nullptr;
}

void merge_into(std::vector<step_stats>& steps, const step_stats& s) {
  auto same = std::find_if(steps.begin(), steps.end(),
                           [&](const step_stats& x) { return x.name == s.name; });
  if (same == steps.end()) {
    steps.push_back(s);
    return;
  }
  same->messages_in += s.messages_in;
  same->messages_out += s.messages_out;
  same->dropped += s.dropped;
  same->invalid += s.invalid;
  same->restarts += s.restarts;
  same->instances += s.instances;
  same->max_in_flight = std::max(same->max_in_flight, s.max_in_flight);
}

struct runtime::impl {
  const graph& g;
  runtime_options options;
  std::unique_ptr<execution_plan> plan;
  std::unique_ptr<plan_part> part;
  std::unique_ptr<caf::actor_system_config> cfg;
  std::unique_ptr<caf::actor_system> sys;
  bool started = false;
  bool waited = false;

  impl(const graph& graph, runtime_options opts) : g(graph), options(std::move(opts)) {}
};

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
    install_stop_signals();
  d.plan = std::make_unique<execution_plan>(d.g, d.options.where);
  if (!d.plan->nodes().empty())
    throw std::invalid_argument("segments placed on nodes run in a cluster (streams/net), not "
                                "in this runtime");
  d.part = std::make_unique<plan_part>(*d.plan, "", d.options);

  d.cfg = std::make_unique<caf::actor_system_config>();
  auto threads =
      d.options.threads ? d.options.threads : std::max(2u, std::thread::hardware_concurrency());
  d.cfg->set("scheduler.max-threads", threads);
  schedule_near_senders(*d.cfg);
  d.cfg->set("logger.verbosity", caf::atom("quiet"));
  d.sys = std::make_unique<caf::actor_system>(*d.cfg);
  d.part->wire(d.part->spawn(*d.sys), 1);
  d.part->start();
  // Spawning made this thread hold the actor system's logger (a thread-local reference).
  // Destroying the system waits until its logger is gone, so a wait() on any other thread
  // would wait forever for this one to let go: let go now.
  caf::logger::set_current_actor_system(nullptr);
  d.started = true;
}

void runtime::stop() {
  if (impl_->started && !impl_->waited)
    impl_->part->stop();
}

run_result runtime::wait() {
  auto& d = *impl_;
  if (!d.started)
    throw std::logic_error("runtime::wait called before start");
  if (d.waited)
    throw std::logic_error("runtime::wait called twice");
  auto result = d.part->result().get();
  d.waited = true;
  d.sys.reset(); // waits for every actor to finish
  d.part.reset();
  return result;
}

const metrics::metrics_registry& runtime::metrics() const {
  if (!impl_->part)
    throw std::logic_error("runtime::metrics called before start");
  return impl_->part->metrics();
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
