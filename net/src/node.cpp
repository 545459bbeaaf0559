// `streams node`: a process that runs its share of the plans a coordinator gives it.
//
// One blocking actor on the main thread, published on the node's address, takes the
// coordinator's orders one at a time (loading an app and connecting to peers block, which an
// event-based actor must not). The step actors run on the same actor system's workers.

#include "cluster_system.hpp"
#include "secret_proof.hpp"

#include "streams/actors/plan_part.hpp"
#include "streams/actors/run_error.hpp"
#include "streams/actors/stop_signals.hpp"

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <spdlog/spdlog.h>

#include <map>
#include <set>

namespace streams::net {

namespace {

using clock_type = std::chrono::steady_clock;

/// The share of one attempt's plan that runs here.
struct share {
  loaded_pipeline loaded;
  std::unique_ptr<execution_plan> plan;
  std::unique_ptr<actors::plan_part> part;
  std::uint64_t attempt = 0;
  caf::actor coordinator;
};

class node {
public:
  node(const node_options& o, const pipeline_loader& load, caf::actor_system& sys)
      : o_(o), load_(load), sys_(sys), self_(sys) {}

  int run() {
    auto published =
        listen(sys_, caf::actor_cast<caf::actor>(self_), o_.host, o_.port, o_.tls.has_value());
    if (!published) {
      spdlog::error("node '{}': cannot listen on {}:{}: {}", o_.name, o_.host, o_.port,
                    sys_.render(published.error()));
      return 2;
    }
    spdlog::info("node '{}' listening on {}:{}{}", o_.name, o_.host, *published,
                 o_.tls ? " (TLS)" : "");
    bool running = true;
    while (running) {
      self_->receive(
          [&](hello_atom, const std::string& challenge) {
            auto mine = make_challenge();
            challenges_[peer()] = {mine, clock_type::now() + o_.node_timeout};
            return caf::make_message(mine, prove(o_.secret, "node", challenge), o_.name);
          },
          [&](auth_atom, const std::string& answer) {
            expire_challenges();
            auto it = challenges_.find(peer());
            if (it == challenges_.end()) {
              spdlog::warn("node '{}': refused peer {}: no challenge of it is pending (none was "
                           "asked, or it is older than {} ms)",
                           o_.name, to_string(peer()), o_.node_timeout.count());
              return caf::make_message(false, std::string("no challenge pending: none was asked, "
                                                          "or it expired"));
            }
            bool ok = verify(o_.secret, "coordinator", it->second.challenge, answer);
            challenges_.erase(it);
            if (!ok) {
              spdlog::warn("node '{}': refused peer {}: it does not know the cluster secret",
                           o_.name, to_string(peer()));
              return caf::make_message(false, std::string("wrong cluster secret"));
            }
            trusted_.insert(peer());
            return caf::make_message(true, std::string());
          },
          [&](deploy_atom, const std::string& json) {
            if (!trusted())
              return refuse_deploy(
                  run_error(runtime_errc::connector_failed, "refused: not authenticated"));
            return deploy(json);
          },
          [&](wire_atom, std::uint64_t attempt, const std::vector<caf::actor>& all,
              std::uint64_t parts) {
            if (!trusted() || !current(attempt))
              return refusal();
            share_->part->wire(all, parts);
            return caf::make_message(true, std::string());
          },
          [&](start_atom, std::uint64_t attempt) {
            if (trusted() && current(attempt))
              share_->part->start();
          },
          [&](stop_atom, std::uint64_t attempt) {
            if (trusted() && current(attempt))
              share_->part->stop();
          },
          [&](abort_atom, std::uint64_t attempt, const std::string& reason) {
            if (trusted() && current(attempt))
              share_->part->abort(run_error(runtime_errc::node_lost, reason));
          },
          [&](caf::down_msg& down) {
            // The coordinator is gone (killed, frozen, cut off): stop at once, so that a
            // node taken for dead does not go on producing beside its replacement.
            if (share_ && !reported_ && down.source == share_->coordinator.address())
              share_->part->abort(run_error(
                  runtime_errc::node_lost, "the coordinator is gone: " + sys_.render(down.reason)));
          },
          caf::after(std::chrono::milliseconds(100)) >>
              [&] {
                expire_challenges();
                report_if_ended();
                if (actors::stop_requested() && !stopping_) {
                  stopping_ = true;
                  spdlog::info("node '{}': stopping", o_.name);
                  if (share_ && !reported_)
                    share_->part->stop();
                }
                running = !(stopping_ && (!share_ || reported_));
              });
    }
    end_share("the node stops");
    return 0;
  }

private:
  caf::node_id peer() { return self_->current_sender()->node(); }

  /// A coordinator answers its challenge at once: one unanswered for node_timeout_ms is
  /// dropped, so that peers that say hello and go away do not pile up here.
  void expire_challenges() {
    auto now = clock_type::now();
    for (auto it = challenges_.begin(); it != challenges_.end();)
      it = it->second.expires < now ? challenges_.erase(it) : std::next(it);
  }

  bool trusted() {
    auto sender = self_->current_sender();
    if (sender && trusted_.count(sender->node()))
      return true;
    spdlog::warn("node '{}': refused an order from {}, which has not proven it knows the "
                 "cluster secret",
                 o_.name, sender ? to_string(sender->node()) : std::string("an unknown sender"));
    return false;
  }

  bool current(std::uint64_t attempt) const {
    return share_ && share_->attempt == attempt && !reported_;
  }

  static caf::message refusal() {
    return caf::make_message(false, std::string("refused: not authenticated or not current"));
  }

  /// Ends what runs here (an older attempt, or another coordinator's), then loads the app,
  /// connects to the other nodes and spawns this node's share of the plan.
  caf::message deploy(const std::string& json) {
    end_share("replaced by a new deployment");
    try {
      auto request = parse_request(json);
      auto s = std::make_unique<share>();
      s->attempt = request.attempt;
      s->coordinator = caf::actor_cast<caf::actor>(self_->current_sender());
      s->loaded = load_(request);
      check_same_pipeline(*s->loaded.g, request.steps);
      auto where = s->loaded.where;
      where.nodes = request.placement;
      s->plan = std::make_unique<execution_plan>(*s->loaded.g, where);
      auto options = s->loaded.options;
      options.state_dir = o_.data_dir;
      options.state_generation = request.generation;
      options.stop_on_signals = false;
      options.health_file.clear();
      // Over TLS, CAF 0.17's openssl module dropped the coordinator's connection as soon as
      // nodes also connected to each other (seen here every time): nodes then reach each
      // other through the coordinator's connections instead (docs/deploy.md).
      if (!o_.tls)
        connect_peers(request);
      s->part = std::make_unique<actors::plan_part>(*s->plan, o_.name, options);
      auto handles = s->part->spawn(sys_);
      self_->monitor(s->coordinator);
      share_ = std::move(s);
      reported_ = false;
      spdlog::info("node '{}': running attempt {} of pipeline '{}'", o_.name, share_->attempt,
                   share_->loaded.g->name());
      return caf::make_message(true, std::string(), std::int32_t{0}, false, std::string(),
                               std::move(handles));
    } catch (const streams::error& e) {
      return refuse_deploy(e);
    } catch (const std::exception& e) {
      // Loading the app or opening its connectors failed with an error of no layer.
      return refuse_deploy(run_error(runtime_errc::connector_failed, e.what()));
    }
  }

  /// The deploy request's answer when it failed: the error crosses as its parts.
  caf::message refuse_deploy(const streams::error& e) {
    spdlog::error("node '{}': cannot deploy: {}", o_.name, e.what());
    return caf::make_message(false, e.code(), static_cast<std::int32_t>(e.category()),
                             e.retryable(), std::string(e.what()), std::vector<caf::actor>{});
  }

  /// Plans made from different pipelines would wire the wrong actors together.
  static void check_same_pipeline(const graph& g, const std::vector<std::string>& expected) {
    std::vector<std::string> here;
    for (auto& step : g.steps())
      here.push_back(step.name);
    if (here == expected)
      return;
    auto list = [](const std::vector<std::string>& names) {
      std::string out;
      for (auto& n : names)
        out += (out.empty() ? "" : ", ") + n;
      return "[" + out + "]";
    };
    throw run_error(runtime_errc::pipeline_mismatch,
                    "the app loaded here builds the steps " + list(here) + ", the coordinator's "
                        + list(expected)
                        + ": every node must load the same app and config, with the same "
                          "environment");
  }

  /// Opens a connection to every other node, so that their step actors talk directly rather
  /// than through the coordinator.
  void connect_peers(const deploy_request& request) {
    for (auto& [name, address] : request.addresses) {
      if (name == o_.name)
        continue;
      auto peer = connect(sys_, address, o_.tls.has_value(), o_.node_timeout);
      if (!peer)
        spdlog::warn("node '{}': cannot reach node '{}' at {}: {}", o_.name, name, address,
                     sys_.render(peer.error()));
    }
  }

  void report_if_ended() {
    if (!share_ || reported_)
      return;
    auto& result = share_->part->result();
    if (!result.valid() || result.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
      return;
    auto r = result.get();
    reported_ = true;
    // The error crosses as its parts: streams::error has no wire form of its own.
    auto& f = r.failure;
    self_->send(share_->coordinator, done_atom::value, o_.name, share_->attempt, r.ok,
                f ? f->code() : std::string(),
                static_cast<std::int32_t>(f ? f->category() : error_category::internal),
                f && f->retryable(), f ? std::string(f->what()) : std::string(), r.steps);
    spdlog::info("node '{}': attempt {} ended{}", o_.name, share_->attempt,
                 f ? ": " + std::string(f->what()) : "");
  }

  /// Aborts what still runs and waits for it to end (its actors commit what is done).
  void end_share(const std::string& reason) {
    if (!share_)
      return;
    if (!reported_) {
      share_->part->abort(run_error(runtime_errc::node_lost, reason));
      share_->part->result().wait();
      report_if_ended();
    }
    // Its actors refer to the part's metrics and state store: let them end first.
    if (!share_->part->join(share_->loaded.options.drain_timeout))
      spdlog::error("node '{}': the actors of attempt {} did not end", o_.name, share_->attempt);
    share_.reset();
  }

  const node_options& o_;
  const pipeline_loader& load_;
  caf::actor_system& sys_;
  caf::scoped_actor self_;
  struct pending_challenge {
    std::string challenge;
    clock_type::time_point expires;
  };
  std::map<caf::node_id, pending_challenge> challenges_;
  std::set<caf::node_id> trusted_;
  std::unique_ptr<share> share_;
  bool reported_ = false;
  bool stopping_ = false;
};

} // namespace

int run_node(const node_options& options, const pipeline_loader& load) {
  actors::install_stop_signals();
  caf::actor_system_config cfg;
  configure(cfg, options.heartbeat, options.node_timeout, options.tls);
  caf::actor_system sys{cfg};
  return node(options, load, sys).run();
}

} // namespace streams::net
