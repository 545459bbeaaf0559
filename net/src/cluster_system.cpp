#include "cluster_system.hpp"

#include "streams/actors/plan_part.hpp"
#include "streams/actors/scheduler.hpp"

#include <caf/io/middleman.hpp>
#include <caf/openssl/all.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/timespan.hpp>

#include <nlohmann/json.hpp>

namespace streams::net {

void configure(caf::actor_system_config& cfg, std::chrono::milliseconds heartbeat,
               std::chrono::milliseconds timeout, const std::optional<config::tls_config>& tls) {
  cfg.load<caf::io::middleman>();
  if (tls) {
    cfg.load<caf::openssl::manager>();
    cfg.set("openssl.certificate", tls->certificate);
    cfg.set("openssl.key", tls->key);
    cfg.set("openssl.cafile", tls->ca_file);
  }
  actors::announce_types(cfg);
  cfg.set("middleman.heartbeat-interval", caf::timespan{heartbeat});
  cfg.set("middleman.connection-timeout", caf::timespan{timeout});
  actors::schedule_near_senders(cfg); // as the local runtime
  cfg.set("logger.verbosity", caf::atom("quiet"));
}

caf::expected<std::uint16_t> listen(caf::actor_system& sys, const caf::actor& whom,
                                    const std::string& host, std::uint16_t port, bool tls) {
  if (tls)
    return caf::openssl::publish(whom, port, host.c_str(), true);
  return sys.middleman().publish(whom, port, host.c_str(), true);
}

caf::expected<caf::actor> connect(caf::actor_system& sys, const std::string& address, bool tls,
                                  std::chrono::milliseconds timeout) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos)
    return caf::make_error(caf::sec::invalid_argument, "expected HOST:PORT, found " + address);
  auto host = address.substr(0, colon);
  auto port = static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1)));
  // What remote_actor does, with a timeout instead of waiting forever.
  auto connector = tls ? sys.openssl_manager().actor_handle() : sys.middleman().actor_handle();
  caf::scoped_actor self{sys};
  caf::expected<caf::actor> out = caf::sec::request_timeout;
  self->request(connector, timeout, caf::connect_atom::value, std::move(host), port)
      .receive(
          [&](const caf::node_id&, caf::strong_actor_ptr& whom, const std::set<std::string>& ifs) {
            if (!whom)
              out = caf::make_error(caf::sec::no_actor_published_at_port, address);
            else if (!ifs.empty()) // a typed actor: not what nodes publish
              out = caf::make_error(caf::sec::unexpected_actor_messaging_interface, address);
            else
              out = caf::actor_cast<caf::actor>(std::move(whom));
          },
          [&](caf::error& e) { out = std::move(e); });
  return out;
}

std::string serialize(const deploy_request& r) {
  nlohmann::json j{{"app", r.app},
                   {"config", r.config},
                   {"name", r.name},
                   {"placement", r.placement},
                   {"addresses", r.addresses},
                   {"attempt", r.attempt},
                   {"generation", r.generation},
                   {"steps", r.steps}};
  return j.dump();
}

deploy_request parse_request(const std::string& json) {
  auto j = nlohmann::json::parse(json);
  deploy_request r;
  j.at("app").get_to(r.app);
  j.at("config").get_to(r.config);
  j.at("name").get_to(r.name);
  j.at("placement").get_to(r.placement);
  j.at("addresses").get_to(r.addresses);
  j.at("attempt").get_to(r.attempt);
  j.at("generation").get_to(r.generation);
  j.at("steps").get_to(r.steps);
  return r;
}

std::vector<std::vector<std::string>> surviving(const std::vector<std::vector<std::string>>& nodes,
                                                const std::set<std::string>& lost,
                                                const std::vector<std::string>& all) {
  std::vector<std::string> left;
  for (auto& n : all)
    if (!lost.count(n))
      left.push_back(n);
  std::vector<std::vector<std::string>> out;
  for (auto& segment : nodes) {
    out.emplace_back();
    for (auto& n : segment)
      if (!lost.count(n))
        out.back().push_back(n);
    if (out.back().empty())
      out.back() = left;
  }
  return out;
}

} // namespace streams::net
