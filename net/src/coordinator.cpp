// The coordinator: `streams run` with a `cluster` config. It runs no step itself: it proves
// to each node that it knows the cluster secret (and has each node prove it too), gives every
// node its share of the plan, hands all of them every instance's actor, starts them, and
// waits. A node lost on the way (its connection broken, or silent past node_timeout_ms) ends
// the attempt: the other nodes abort (committing only what is done) and the pipeline starts
// again on the nodes left, from the committed offsets.

#include "cluster_system.hpp"
#include "secret_proof.hpp"

#include "streams/actors/plan_part.hpp"
#include "streams/actors/run_error.hpp"
#include "streams/actors/stop_signals.hpp"

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>

namespace streams::net {

namespace {

/// How an attempt ended.
enum class outcome { finished, node_lost };

class coordinator {
public:
  coordinator(const config::cluster_config& cluster, caf::actor_system& sys)
      : cluster_(cluster), sys_(sys), self_(sys) {}

  /// Connects to every node and authenticates both ways; a node that cannot be reached or
  /// fails the proof is left out (lost).
  void connect_all() {
    auto deadline = std::chrono::steady_clock::now() + 3 * cluster_.node_timeout;
    for (auto& [name, address] : cluster_.nodes) {
      auto handle = net::connect(sys_, address, cluster_.tls.has_value());
      // Nodes may still be starting: try until the deadline.
      while (!handle && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        handle = net::connect(sys_, address, cluster_.tls.has_value());
      }
      if (!handle) {
        spdlog::error("node '{}' at {} cannot be reached: {}", name, address,
                      sys_.render(handle.error()));
        lost_.insert(name);
        continue;
      }
      if (!authenticate(name, *handle)) {
        lost_.insert(name);
        continue;
      }
      self_->monitor(*handle);
      nodes_[name] = *handle;
    }
  }

  run_result run(deploy_request request, const loaded_pipeline& loaded, std::size_t max_attempts) {
    for (auto& [name, address] : cluster_.nodes) {
      request.addresses[name] = address;
      all_nodes_.push_back(name);
    }
    for (auto& step : loaded.g->steps())
      request.steps.push_back(step.name);
    run_result result;
    for (std::uint64_t attempt = 1; attempt <= max_attempts; ++attempt) {
      if (nodes_.empty())
        return failure(runtime_errc::node_lost,
                       "no node of the cluster is left to run the pipeline");
      request.attempt = attempt;
      auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
      request.generation = std::max(request.generation + 1, static_cast<std::uint64_t>(now));
      request.placement = surviving(loaded.where.nodes, lost_, all_nodes_);
      auto where = loaded.where;
      where.nodes = request.placement;
      execution_plan plan(*loaded.g, where);
      spdlog::info("attempt {}: running pipeline '{}' on {} node(s)", attempt, loaded.g->name(),
                   plan.nodes().size());
      auto [how, r] = run_attempt(request, plan, loaded.options.drain_timeout);
      if (how == outcome::finished)
        return r;
      result = std::move(r);
      if (actors::stop_requested())
        return result;
    }
    auto last = result.failure ? std::string(result.failure->what()) : std::string();
    return failure(runtime_errc::node_lost, "nodes were lost " + std::to_string(max_attempts)
                                                + " times; giving up: " + last);
  }

private:
  bool authenticate(const std::string& name, const caf::actor& node) {
    auto mine = make_challenge();
    bool ok = false;
    self_->request(node, cluster_.node_timeout, hello_atom::value, mine)
        .receive(
            [&](const std::string& theirs, const std::string& answer, const std::string& named) {
              if (!verify(cluster_.secret, "node", mine, answer)) {
                spdlog::error("node '{}' does not know the cluster secret: refused", name);
                return;
              }
              if (named != name) {
                spdlog::error("the node at {} is called '{}', not '{}' as the cluster config says",
                              cluster_.nodes.at(name), named, name);
                return;
              }
              self_
                  ->request(node, cluster_.node_timeout, auth_atom::value,
                            prove(cluster_.secret, "coordinator", theirs))
                  .receive(
                      [&](bool accepted, const std::string& why) {
                        ok = accepted;
                        if (!accepted)
                          spdlog::error("node '{}' refused this coordinator: {}", name, why);
                      },
                      [&](caf::error& e) { spdlog::error("node '{}': {}", name, sys_.render(e)); });
            },
            [&](caf::error& e) { spdlog::error("node '{}': {}", name, sys_.render(e)); });
    return ok;
  }

  static run_result failure(runtime_errc code, const std::string& why) {
    run_result r;
    r.ok = false;
    r.failure = run_error(code, why);
    return r;
  }

  /// Deploys, wires and starts the plan on its nodes, then waits for every node to report.
  std::pair<outcome, run_result> run_attempt(const deploy_request& request,
                                             const execution_plan& plan,
                                             std::chrono::milliseconds drain_timeout) {
    auto names = plan.nodes();
    std::vector<caf::actor> all(plan.instances().size());
    auto timeout = cluster_.node_timeout + std::chrono::seconds(30); // loading an app may be slow
    auto json = serialize(request);
    for (auto& name : names) {
      if (!nodes_.count(name))
        return {outcome::node_lost,
                failure(runtime_errc::node_lost, "node '" + name + "' is not connected")};
      std::string error;
      self_->request(nodes_[name], timeout, deploy_atom::value, json)
          .receive(
              [&](bool ok, const std::string& why, const std::vector<caf::actor>& handles) {
                if (!ok)
                  error = why;
                for (std::size_t i = 0; ok && i < handles.size() && i < all.size(); ++i)
                  if (handles[i])
                    all[i] = handles[i];
              },
              [&](caf::error& e) { error = sys_.render(e); });
      if (!error.empty()) {
        abort_all(names, request.attempt, "node '" + name + "' could not deploy");
        // Loading the app or opening its connectors failed there: not a lost node.
        return {outcome::finished,
                failure(runtime_errc::connector_failed, "node '" + name + "': " + error)};
      }
    }
    for (auto& name : names) {
      bool wired = false;
      self_
          ->request(nodes_[name], timeout, wire_atom::value, request.attempt, all,
                    static_cast<std::uint64_t>(names.size()))
          .receive([&](bool ok, const std::string&) { wired = ok; }, [&](caf::error&) {});
      if (!wired) {
        abort_all(names, request.attempt, "node '" + name + "' could not be wired");
        return {outcome::node_lost,
                failure(runtime_errc::node_lost, "node '" + name + "' could not be wired")};
      }
    }
    for (auto& name : names)
      self_->send(nodes_[name], start_atom::value, request.attempt);
    return wait(names, request.attempt, drain_timeout);
  }

  std::pair<outcome, run_result> wait(const std::vector<std::string>& names, std::uint64_t attempt,
                                      std::chrono::milliseconds drain_timeout) {
    std::set<std::string> running(names.begin(), names.end());
    run_result result;
    std::optional<outcome> how;
    bool stopping = false;
    std::optional<std::chrono::steady_clock::time_point> give_up;
    auto end_all = [&](const std::string& reason) {
      abort_all({running.begin(), running.end()}, attempt, reason);
      give_up = std::chrono::steady_clock::now() + drain_timeout + cluster_.node_timeout;
    };
    while (!running.empty()) {
      self_->receive(
          [&](done_atom, const std::string& node, std::uint64_t of, bool ok,
              const std::string& code, std::int32_t category, bool retryable,
              const std::string& error, const std::vector<step_stats>& steps) {
            if (of != attempt || !running.erase(node))
              return;
            for (auto& s : steps)
              merge_into(result.steps, s);
            if (!ok && result.ok) {
              result.ok = false;
              result.failure =
                  streams::error(code, {static_cast<error_category>(category), retryable},
                                 "node '" + node + "': " + error);
              if (!how) {
                how = outcome::finished;
                end_all("node '" + node + "' failed");
              }
            }
          },
          [&](caf::down_msg& down) {
            for (auto it = nodes_.begin(); it != nodes_.end(); ++it) {
              if (it->second.address() != down.source)
                continue;
              auto name = it->first;
              spdlog::error("node '{}' is lost: {}", name, sys_.render(down.reason));
              lost_.insert(name);
              nodes_.erase(it);
              if (running.erase(name) && !how) {
                how = outcome::node_lost;
                result.ok = false;
                result.failure = run_error(runtime_errc::node_lost, "node '" + name + "' was lost");
                end_all(result.failure->what());
              }
              break;
            }
          },
          caf::after(std::chrono::milliseconds(100)) >>
              [&] {
                if (actors::stop_requested() && !stopping) {
                  stopping = true;
                  spdlog::info("stopping: the nodes drain what is in flight");
                  for (auto& name : running)
                    self_->send(nodes_[name], stop_atom::value, attempt);
                }
                if (give_up && std::chrono::steady_clock::now() > *give_up) {
                  for (auto& name : running)
                    spdlog::error("node '{}' did not report the end of attempt {}", name, attempt);
                  running.clear();
                }
              });
    }
    return {how.value_or(outcome::finished), std::move(result)};
  }

  void abort_all(const std::vector<std::string>& names, std::uint64_t attempt,
                 const std::string& reason) {
    for (auto& name : names)
      if (nodes_.count(name))
        self_->send(nodes_[name], abort_atom::value, attempt, reason);
  }

  const config::cluster_config& cluster_;
  caf::actor_system& sys_;
  caf::scoped_actor self_;
  std::vector<std::string> all_nodes_;
  std::map<std::string, caf::actor> nodes_; ///< connected and authenticated
  std::set<std::string> lost_;
};

} // namespace

run_result coordinate(deploy_request request, const loaded_pipeline& pipeline,
                      const config::cluster_config& cluster, std::size_t max_attempts) {
  actors::install_stop_signals();
  caf::actor_system_config cfg;
  configure(cfg, cluster.heartbeat, cluster.node_timeout, cluster.tls);
  caf::actor_system sys{cfg};
  coordinator c(cluster, sys);
  c.connect_all();
  return c.run(std::move(request), pipeline, max_attempts);
}

} // namespace streams::net
