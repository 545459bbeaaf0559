// `streams node --listen HOST:PORT [--name NAME] [--data-dir DIR] [--secret-file FILE]
//               [--heartbeat-ms N] [--node-timeout-ms N] [-l LEVEL]`:
// a worker node of a cluster (docs/deploy.md). It runs the share of a pipeline that a
// coordinator (`streams run` with a `cluster` config) gives it, until SIGINT/SIGTERM.

#include "app_loader.hpp"
#include "commands.hpp"
#include "operations.hpp"

#include "streams/net/cluster.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

namespace streams::cli {

namespace {

/// The secret from `file`, else from STREAMS_CLUSTER_SECRET; "" with `why` set when neither
/// gives one of at least 16 characters. Never printed.
std::string read_secret(const std::string& file, std::string& why) {
  std::string secret;
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) {
      why = "cannot read the secret file '" + file + "'";
      return "";
    }
    std::stringstream text;
    text << in.rdbuf();
    secret = text.str();
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r'))
      secret.pop_back();
  } else if (const char* env = std::getenv("STREAMS_CLUSTER_SECRET")) {
    secret = env;
  } else {
    why = "no cluster secret: set STREAMS_CLUSTER_SECRET or give --secret-file";
    return "";
  }
  if (secret.size() < 16) {
    why = "the cluster secret has " + std::to_string(secret.size())
          + " characters; expected at least 16";
    return "";
  }
  return secret;
}

} // namespace

void add_node_command(CLI::App& cli, action& chosen) {
  struct options {
    std::string listen;
    std::string name;
    std::string data_dir = "streams-state";
    std::string secret_file;
    std::size_t heartbeat_ms = 500;
    std::size_t node_timeout_ms = 3000;
    std::string log_level = "info";
    config::tls_config tls;
  };
  auto o = std::make_shared<options>();
  auto* cmd = cli.add_subcommand("node", "Run a worker node of a cluster until SIGINT/SIGTERM");
  cmd->add_option("--listen", o->listen, "where coordinators and other nodes reach this node")
      ->type_name("HOST:PORT")
      ->required()
      ->check(CLI::Validator([](std::string& a) { return address_problem(a); }, ""));
  cmd->add_option("--name", o->name,
                  "the node's name in the cluster config (default: the --listen address)");
  cmd->add_option("--data-dir", o->data_dir, "where stateful steps keep their state")
      ->capture_default_str();
  cmd->add_option("--secret-file", o->secret_file,
                  "a file holding the cluster secret (default: $STREAMS_CLUSTER_SECRET)");
  cmd->add_option("--heartbeat-ms", o->heartbeat_ms, "milliseconds between heartbeats")
      ->check(CLI::Range(std::size_t{1}, std::size_t{600'000}))
      ->capture_default_str();
  cmd->add_option("--node-timeout-ms", o->node_timeout_ms,
                  "a coordinator silent this long is taken for dead: what runs here stops")
      ->check(CLI::Range(std::size_t{2}, std::size_t{3'600'000}))
      ->capture_default_str();
  auto* cert = cmd->add_option("--tls-certificate", o->tls.certificate,
                               "TLS: this node's certificate (PEM), signed by --tls-ca-file")
                   ->check(CLI::ExistingFile);
  auto* key = cmd->add_option("--tls-key", o->tls.key, "TLS: its private key (PEM)")
                  ->check(CLI::ExistingFile);
  auto* ca = cmd->add_option("--tls-ca-file", o->tls.ca_file,
                             "TLS: the authority that must have signed every peer's certificate")
                 ->check(CLI::ExistingFile);
  // All three or none: half a TLS setup would silently fall back to plain TCP.
  cert->needs(key, ca);
  key->needs(cert, ca);
  ca->needs(cert, key);
  cmd->add_option("-l,--log-level", o->log_level, "debug, info, warning, error or critical")
      ->transform(
          CLI::IsMember({"debug", "info", "warning", "error", "critical"}, CLI::ignore_case))
      ->capture_default_str();
  cmd->callback([o, &chosen] {
    chosen = [o] {
      spdlog::set_level(spdlog::level::from_str(o->log_level == "warning" ? "warn" : o->log_level));
      std::string why;
      net::node_options n;
      n.secret = read_secret(o->secret_file, why);
      if (n.secret.empty()) {
        std::cerr << "streams node: " << why << "\n";
        return exit_usage;
      }
      auto [host, port] = parse_address(o->listen);
      n.host = host;
      n.port = port;
      n.name = o->name.empty() ? o->listen : o->name;
      n.data_dir = o->data_dir;
      n.heartbeat = std::chrono::milliseconds(o->heartbeat_ms);
      n.node_timeout = std::chrono::milliseconds(o->node_timeout_ms);
      if (!o->tls.certificate.empty())
        n.tls = o->tls;
      return net::run_node(n,
                           [](const net::deploy_request& r) { return load_for_cluster(r, false); });
    };
  });
}

} // namespace streams::cli
