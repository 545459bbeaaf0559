#pragma once

// What the coordinator and the nodes of a cluster say to each other, and the actor system
// they both run (internal to net/). Step actors talk to each other directly: see
// actors/src/messages.hpp.

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/expected.hpp>

#include "streams/net/cluster.hpp"

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace streams::net {

// coordinator -> node, each answered
using hello_atom =
    caf::atom_constant<caf::atom("n_hello")>; // (challenge) -> (challenge, answer, name)
using auth_atom = caf::atom_constant<caf::atom("n_auth")>; // (answer) -> (ok, why)
using deploy_atom =
    caf::atom_constant<caf::atom("n_deploy")>;             // (request JSON) -> (ok, why, actors)
using wire_atom = caf::atom_constant<caf::atom("n_wire")>; // (attempt, actors, parts) -> (ok)
// coordinator -> node
using start_atom = caf::atom_constant<caf::atom("n_start")>; // (attempt)
using stop_atom = caf::atom_constant<caf::atom("n_stop")>;   // (attempt) drain
using abort_atom = caf::atom_constant<caf::atom("n_abort")>; // (attempt, reason)
// node -> coordinator: (node, attempt, ok, code, category, retryable, what, steps) its share of
// the plan has ended
using done_atom = caf::atom_constant<caf::atom("n_done")>;

/// The config both sides run: the middleman with heartbeats (off by default in CAF 0.17, so
/// that a frozen peer would never be noticed), CAF's openssl module with `tls`, the pipeline's
/// wire types, a quiet logger.
void configure(caf::actor_system_config& cfg, std::chrono::milliseconds heartbeat,
               std::chrono::milliseconds timeout, const std::optional<config::tls_config>& tls);

/// Publishes `whom` on host:port, over TLS when `tls`; the port bound.
caf::expected<std::uint16_t> listen(caf::actor_system& sys, const caf::actor& whom,
                                    const std::string& host, std::uint16_t port, bool tls);
/// The actor published at `address` ("host:port"), over TLS when `tls`; an error past
/// `timeout` (a frozen peer accepts the connection but never answers CAF's handshake).
caf::expected<caf::actor> connect(caf::actor_system& sys, const std::string& address, bool tls,
                                  std::chrono::milliseconds timeout);

/// A deploy request as it crosses the network (JSON); `parse_request` throws on bad input.
std::string serialize(const deploy_request& r);
deploy_request parse_request(const std::string& json);

/// A placement's nodes, less `lost`: a segment left without nodes goes to every node left.
std::vector<std::vector<std::string>> surviving(const std::vector<std::vector<std::string>>& nodes,
                                                const std::set<std::string>& lost,
                                                const std::vector<std::string>& all);

} // namespace streams::net
