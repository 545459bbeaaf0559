// The coordinator: `streams run` with a `cluster` config. It runs no step itself: it proves
// to each node that it knows the cluster secret (and has each node prove it too), gives every
// node its share of the plan, hands all of them every instance's actor, starts them, and
// waits. A node lost on the way (its connection broken, or silent past node_timeout_ms) ends
// the attempt: the other nodes abort (committing only what is done) and the pipeline starts
// again on the nodes left, from the committed offsets. A lost node that comes back (answers and
// proves the secret again) is used again: the running attempt drains and a new one places
// segments on it as the config says.

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
#include <optional>
#include <set>
#include <thread>

namespace streams::net {

namespace {

/// How an attempt ended.
enum class outcome {
  finished,
  node_lost,
  node_back, ///< drained to place segments on a lost node that came back
};

using clock_type = std::chrono::steady_clock;

class coordinator {
public:
  coordinator(const config::cluster_config& cluster, caf::actor_system& sys)
      : cluster_(cluster), sys_(sys), self_(sys) {}

  /// Connects to every node and authenticates both ways, trying for 3 × node_timeout_ms
  /// (nodes may still be starting); a node that cannot be reached or fails the proof is left
  /// out.
  void connect_all() {
    auto deadline = clock_type::now() + 3 * cluster_.node_timeout;
    for (auto& [name, address] : cluster_.nodes)
      join(name, deadline, true);
  }

  run_result run(deploy_request request, const loaded_pipeline& loaded, std::size_t max_losses) {
    for (auto& [name, address] : cluster_.nodes) {
      request.addresses[name] = address;
      all_nodes_.push_back(name);
    }
    for (auto& step : loaded.g->steps())
      request.steps.push_back(step.name);
    run_result result;
    std::size_t losses = 0;
    for (std::uint64_t attempt = 1; losses < max_losses; ++attempt) {
      if (attempt > 1)
        rejoin_lost();
      if (nodes_.empty())
        return failure(runtime_errc::node_lost,
                       "no node of the cluster is left to run the pipeline");
      request.attempt = attempt;
      auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
      request.generation = std::max(request.generation + 1, static_cast<std::uint64_t>(now));
      request.placement = surviving(loaded.where.nodes, absent(), all_nodes_);
      auto where = loaded.where;
      where.nodes = request.placement;
      execution_plan plan(*loaded.g, where);
      spdlog::info("attempt {}: running pipeline '{}' on {} node(s)", attempt, loaded.g->name(),
                   plan.nodes().size());
      auto [how, r] = run_attempt(request, plan, loaded.options.drain_timeout);
      // Drained to use a node again, the attempt failed only if a step did.
      if (how == outcome::finished || actors::stop_requested()
          || (how == outcome::node_back && !r.ok))
        return r;
      if (how == outcome::node_lost) {
        result = std::move(r);
        ++losses;
      }
    }
    auto last = result.failure ? std::string(result.failure->what()) : std::string();
    return failure(runtime_errc::node_lost,
                   "nodes were lost " + std::to_string(max_losses) + " times; giving up: " + last);
  }

private:
  /// Connects to node `name` and authenticates both ways: tries until `deadline` when
  /// `keep_trying`, once (bounded by `deadline`) otherwise. True once the node is in `nodes_`;
  /// else it is lost, or refused for good when it proved it is not a node of this cluster.
  bool join(const std::string& name, clock_type::time_point deadline, bool keep_trying) {
    auto& address = cluster_.nodes.at(name);
    auto connect = [&] {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
      return net::connect(sys_, address, cluster_.tls.has_value(),
                          std::max(left, std::chrono::milliseconds(1)));
    };
    auto handle = connect();
    while (!handle && keep_trying && clock_type::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      handle = connect();
    }
    lost_.insert(name); // until proven otherwise
    if (!handle) {
      if (keep_trying)
        spdlog::error("node '{}' at {} cannot be reached: {}", name, address,
                      sys_.render(handle.error()));
      return false;
    }
    if (!authenticate(name, *handle))
      return false;
    self_->monitor(*handle);
    nodes_[name] = *handle;
    lost_.erase(name);
    return true;
  }

  /// Tries once more every lost node, all within node_timeout_ms: a node still dead refuses
  /// the connection at once, a frozen one never answers and is given up at the deadline.
  /// The nodes back.
  std::vector<std::string> rejoin_lost() {
    auto deadline = clock_type::now() + cluster_.node_timeout;
    std::vector<std::string> back;
    for (auto name : std::vector<std::string>(lost_.begin(), lost_.end()))
      if (join(name, deadline, false)) {
        spdlog::info("node '{}' is back", name);
        back.push_back(name);
      }
    return back;
  }

  /// Whether `node` answers as a node of this cluster; false, and the node refused for good
  /// (`refused_`, not tried again), when its proof or name is wrong or it refuses ours.
  bool authenticate(const std::string& name, const caf::actor& node) {
    auto mine = make_challenge();
    bool ok = false;
    self_->request(node, cluster_.node_timeout, hello_atom::value, mine)
        .receive(
            [&](const std::string& theirs, const std::string& answer, const std::string& named) {
              if (!verify(cluster_.secret, "node", mine, answer)) {
                spdlog::error("node '{}' does not know the cluster secret: refused", name);
                refuse(name);
                return;
              }
              if (named != name) {
                spdlog::error("the node at {} is called '{}', not '{}' as the cluster config says",
                              cluster_.nodes.at(name), named, name);
                refuse(name);
                return;
              }
              self_
                  ->request(node, cluster_.node_timeout, auth_atom::value,
                            prove(cluster_.secret, "coordinator", theirs))
                  .receive(
                      [&](bool accepted, const std::string& why) {
                        ok = accepted;
                        if (!accepted) {
                          spdlog::error("node '{}' refused this coordinator: {}", name, why);
                          refuse(name);
                        }
                      },
                      [&](caf::error& e) { spdlog::error("node '{}': {}", name, sys_.render(e)); });
            },
            [&](caf::error& e) { spdlog::error("node '{}': {}", name, sys_.render(e)); });
    return ok;
  }

  /// The configured nodes that take no part now: lost or refused.
  std::set<std::string> absent() const {
    auto out = lost_;
    out.insert(refused_.begin(), refused_.end());
    return out;
  }

  void refuse(const std::string& name) {
    lost_.erase(name);
    refused_.insert(name);
  }

  static run_result failure(streams::error why) {
    run_result r;
    r.ok = false;
    r.failure = std::move(why);
    return r;
  }
  static run_result failure(runtime_errc code, const std::string& why) {
    return failure(run_error(code, why));
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
      std::optional<streams::error> refused;
      self_->request(nodes_[name], timeout, deploy_atom::value, json)
          .receive(
              [&](bool ok, const std::string& code, std::int32_t category, bool retryable,
                  const std::string& why, const std::vector<caf::actor>& handles) {
                if (!ok)
                  refused.emplace(code,
                                  error_kind{static_cast<error_category>(category), retryable},
                                  "node '" + name + "': " + why);
                for (std::size_t i = 0; ok && i < handles.size() && i < all.size(); ++i)
                  if (handles[i])
                    all[i] = handles[i];
              },
              [&](caf::error& e) {
                refused = run_error(runtime_errc::connector_failed,
                                    "node '" + name + "': " + sys_.render(e));
              });
      if (refused) {
        abort_all(names, request.attempt, "node '" + name + "' could not deploy");
        // Loading the app or opening its connectors failed there: not a lost node.
        return {outcome::finished, failure(std::move(*refused))};
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
    std::optional<clock_type::time_point> give_up;
    auto end_all = [&](const std::string& reason) {
      abort_all({running.begin(), running.end()}, attempt, reason);
      give_up = clock_type::now() + drain_timeout + cluster_.node_timeout;
    };
    auto next_probe = clock_type::now() + cluster_.node_timeout;
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
                // While some node is lost, try it again now and then: once one is back, drain
                // this attempt (nothing to repeat) and place the next on it as well.
                if (!how && !stopping && !lost_.empty() && clock_type::now() > next_probe) {
                  auto back = rejoin_lost();
                  next_probe = clock_type::now() + cluster_.node_timeout;
                  if (!back.empty()) {
                    how = outcome::node_back;
                    spdlog::info("draining attempt {} to run on node '{}' again", attempt,
                                 back.front());
                    for (auto& name : running)
                      self_->send(nodes_[name], stop_atom::value, attempt);
                    give_up = clock_type::now() + drain_timeout + cluster_.node_timeout;
                  }
                }
                if (give_up && clock_type::now() > *give_up) {
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
  std::set<std::string> lost_;              ///< unreachable or gone: tried again
  std::set<std::string> refused_;           ///< not nodes of this cluster: never tried again
};

} // namespace

run_result coordinate(deploy_request request, const loaded_pipeline& pipeline,
                      const config::cluster_config& cluster, std::size_t max_losses) {
  actors::install_stop_signals();
  caf::actor_system_config cfg;
  configure(cfg, cluster.heartbeat, cluster.node_timeout, cluster.tls);
  // Never ended: CAF 0.17's actor system waits at its end for its middleman, which waits for
  // ever on a connection whose peer never completes the handshake (a node speaking TLS that a
  // coordinator without it reached keeps the connection open), so that a coordinator done
  // with its run would hang on its way out. The process's end takes it down instead.
  auto& sys = *new caf::actor_system(cfg);
  coordinator c(cluster, sys);
  c.connect_all();
  return c.run(std::move(request), pipeline, max_losses);
}

} // namespace streams::net
