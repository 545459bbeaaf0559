#include "streams/actors/plan_part.hpp"

#include "step_actors.hpp"
#include "supervisor.hpp"

#include "streams/error.hpp"
#include "streams/sinks/stream_sinks.hpp"
#include "streams/state/state_store.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <filesystem>

namespace streams::actors {

void announce_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<origins>("streams.origins");
  cfg.add_message_type<done_ranges>("streams.done_ranges");
  cfg.add_message_type<step_stats>("streams.step_stats");
  cfg.add_message_type<std::vector<step_stats>>("streams.step_stats_list");
  cfg.add_message_type<std::vector<caf::actor>>("streams.actors");
  cfg.add_message_type<std::vector<std::int32_t>>("streams.partitions");
}

struct plan_part::impl {
  const execution_plan& plan;
  const graph& g;
  std::string node;
  runtime_options options;
  std::vector<std::size_t> mine;      ///< indices of the instances placed here
  std::vector<setup_ptr> setups;      ///< by index in `mine`
  std::unique_ptr<state_store> store; // opened when some step here is stateful
  std::unique_ptr<metrics::metrics_registry> registry;
  setup_ptr dead_letter_setup;
  caf::actor_system* sys = nullptr;
  std::vector<caf::actor> spawned; ///< by index in `mine`
  caf::actor dead_letters;
  caf::actor supervisor;
  std::shared_ptr<std::promise<run_result>> promise = std::make_shared<std::promise<run_result>>();
  std::future<run_result> result = promise->get_future();

  impl(const execution_plan& p, std::string n, runtime_options o)
      : plan(p), g(p.pipeline()), node(std::move(n)), options(std::move(o)) {}

  /// The source step a step's messages derive from: steps have one input each, so one.
  std::size_t root_source(std::size_t step) const {
    while (auto in = g.input(step))
      step = in->from;
    return step;
  }

  /// Makes the step's connector or operator now, so that a bad file or setting fails early.
  setup_ptr make_setup(std::size_t index) const {
    auto& node = g.step(index);
    auto setup = std::make_shared<step_setup>();
    setup->name = node.name;
    setup->options = options;
    setup->output_codec = node.output_codec;
    if (auto in = g.input(index))
      setup->input_codec = g.step(in->from).output_codec;
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

  /// Opens the state store when a step here is stateful, and each stateful operator on it.
  void open_state() {
    std::int32_t run = 0;
    for (std::size_t i = 0; i < mine.size(); ++i) {
      auto& setup = *setups[i];
      if (!setup.op || !setup.op->stateful())
        continue;
      if (!store) {
        auto where = options.state_dir == memory_state
                         ? options.state_dir
                         : (std::filesystem::path(options.state_dir) / g.name()).string();
        store = open_state_store(where);
        if (options.replicate_state)
          store = options.replicate_state(std::move(store), options.state_generation);
        check_state_layout(*store);
        run = next_run(*store);
      }
      setup.output_run = run;
      auto& instance = plan.instances()[mine[i]];
      try {
        setup.op->open(
            {setup.name, instance.replica, plan.instances_of(instance.step).size(), store.get()});
      } catch (const std::exception& e) {
        throw std::runtime_error("step '" + setup.name
                                 + "': cannot restore its state: " + e.what());
      }
    }
  }
};

plan_part::plan_part(const execution_plan& plan, std::string node, runtime_options options)
    : impl_(std::make_unique<impl>(plan, std::move(node), std::move(options))) {
  auto& d = *impl_;
  auto& steps = d.g.steps();
  d.registry = std::make_unique<metrics::metrics_registry>(d.g.name());
  auto& instances = plan.instances();
  for (std::size_t n = 0; n < instances.size(); ++n) {
    auto& instance = instances[n];
    if (instance.node != d.node)
      continue;
    d.mine.push_back(n);
    d.setups.push_back(d.make_setup(instance.step));
    auto& setup = *d.setups.back();
    setup.source_index = instance.ack_index.value_or(0);
    // The plan knows stateful steps by kind; an operator that keeps state elsewhere would get
    // no acks for its outputs.
    if (setup.op && setup.op->stateful() != execution_plan::stateful(steps[instance.step].kind))
      throw std::logic_error("step '" + setup.name
                             + "': its operator's statefulness does not match its kind");
  }
  d.open_state();
  d.dead_letter_setup = std::make_shared<step_setup>();
  auto& dlq = *d.dead_letter_setup;
  dlq.name = "dead-letters";
  dlq.options = d.options;
  dlq.metrics = &d.registry->add(dlq.name, metrics::step_role::dead_letters);
  dlq.snk =
      d.options.dead_letters ? d.options.dead_letters() : std::make_unique<dead_letter_log_sink>();
}

plan_part::~plan_part() = default;

std::vector<caf::actor> plan_part::spawn(caf::actor_system& sys) {
  auto& d = *impl_;
  auto& steps = d.g.steps();
  d.sys = &sys;
  std::vector<caf::actor> all(d.plan.instances().size());
  for (std::size_t i = 0; i < d.mine.size(); ++i) {
    auto& setup = d.setups[i];
    switch (steps[d.plan.instances()[d.mine[i]].step].kind) {
      case step_kind::source: d.spawned.push_back(spawn_source(sys, setup)); break;
      case step_kind::sink: d.spawned.push_back(spawn_sink(sys, setup)); break;
      default: d.spawned.push_back(spawn_transform(sys, setup));
    }
    all[d.mine[i]] = d.spawned.back();
  }
  d.dead_letters = spawn_sink(sys, d.dead_letter_setup);
  return all;
}

void plan_part::wire(const std::vector<caf::actor>& all, std::size_t parts) {
  auto& d = *impl_;
  auto& steps = d.g.steps();
  auto& instances = d.plan.instances();
  std::vector<caf::actor> acks; // by ack index
  for (auto n : d.plan.ack_targets())
    acks.push_back(all[n]);
  // What each ack target waits for before it ends: every part's dead-letter actor, every
  // sink instance, and the stateful instances that close to it.
  std::size_t sinks = parts;
  for (auto& instance : instances)
    sinks += steps[instance.step].kind == step_kind::sink ? 1 : 0;
  std::vector<std::vector<caf::actor>> closing_stateful(acks.size()); // by ack index
  for (auto n : d.plan.ack_targets())
    if (steps[instances[n].step].kind != step_kind::source)
      for (auto a : d.plan.closes_to(n))
        closing_stateful[a].push_back(all[n]);

  std::vector<managed_actor> actors;
  std::size_t local_feeders = 0; // what sends to this part's dead letters
  for (std::size_t i = 0; i < d.mine.size(); ++i) {
    auto n = d.mine[i];
    auto step = instances[n].step;
    auto kind = steps[step].kind;
    local_feeders += kind == step_kind::source ? 0 : 1;
    managed_actor a{steps[step].name, d.spawned[i], {}, kind == step_kind::source};
    auto root = d.root_source(step);
    auto& w = a.w;
    w.sources = acks;
    w.dead_letters = d.dead_letters;
    if (auto a = instances[n].ack_index) {
      w.closers = sinks + closing_stateful[*a].size();
      if (kind != step_kind::source)
        for (auto to : d.plan.closes_to(n))
          w.closes_to.push_back(acks[to]);
      else
        w.stateful = closing_stateful[*a];
    }
    w.source = *instances[d.plan.instances_of(root).front()].ack_index;
    w.source_name = steps[root].name;
    w.on_invalid = steps[root].on_invalid.value_or(d.options.on_invalid);
    if (auto in = d.g.input(step)) {
      w.upstream_port = static_cast<std::uint32_t>(in->port);
      w.upstream_count = d.plan.feeders(n, *in);
    }
    for (auto& out : d.g.outputs(step)) {
      w.downstream.emplace_back();
      for (auto next : d.plan.targets(n, out))
        w.downstream.back().push_back(all[next]);
      w.downstream_keys.push_back(d.plan.spread_of(out) == spread::by_key ? steps[out.to].group_key
                                                                          : nullptr);
      w.downstream_max_batch.push_back(steps[out.to].max_batch_in);
    }
    actors.push_back(std::move(a));
  }
  managed_actor dead_letters{d.dead_letter_setup->name, d.dead_letters, {}, false};
  dead_letters.w.sources = acks;
  // Transforms send the invalid messages their operators reject, sinks those their
  // destination refuses: it ends once all of them have ended.
  dead_letters.w.upstream_count = local_feeders;
  actors.push_back(std::move(dead_letters));

  d.supervisor = spawn_supervisor(*d.sys, std::move(actors), d.options, *d.registry, d.promise);
}

void plan_part::start() { caf::anon_send(impl_->supervisor, start_atom::value); }

void plan_part::stop() { caf::anon_send(impl_->supervisor, stop_atom::value); }

void plan_part::abort(const error& reason) {
  auto& d = *impl_;
  if (d.supervisor) {
    caf::anon_send(d.supervisor, failed_atom::value, reason);
    return;
  }
  // Spawned, never wired: nothing ran, so there is nothing to commit.
  for (auto& a : d.spawned)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  if (d.dead_letters)
    caf::anon_send_exit(d.dead_letters, caf::exit_reason::user_shutdown);
  run_result failed;
  failed.ok = false;
  failed.failure = reason;
  d.promise->set_value(std::move(failed));
}

std::future<run_result>& plan_part::result() { return impl_->result; }

bool plan_part::join(std::chrono::milliseconds limit) {
  auto& d = *impl_;
  if (!d.sys)
    return true;
  caf::scoped_actor self{*d.sys};
  std::size_t alive = 0;
  for (auto& a : d.spawned) {
    self->monitor(a);
    ++alive;
  }
  if (d.dead_letters) {
    self->monitor(d.dead_letters);
    ++alive;
  }
  auto deadline = std::chrono::steady_clock::now() + limit;
  bool timed_out = false;
  while (alive > 0 && !timed_out)
    self->receive([&](caf::down_msg&) { --alive; },
                  caf::after(std::max(std::chrono::milliseconds(0),
                                      std::chrono::duration_cast<std::chrono::milliseconds>(
                                          deadline - std::chrono::steady_clock::now())))
                      >> [&] { timed_out = true; });
  return alive == 0;
}

const metrics::metrics_registry& plan_part::metrics() const { return *impl_->registry; }

} // namespace streams::actors
