// The `cluster` section and each segment's `nodes` (docs/deploy.md): read into the config
// with their defaults, and every way to get them wrong named by its key path.

#include "streams/config/load_deployment_config.hpp"

#include "config/config_test_support.hpp"

#include <doctest/doctest.h>

using namespace streams;
using namespace streams::config;
using namespace streams::test;

namespace {

/// simple_map_filter in two segments, the second from `transform` on, placed as given.
std::string placed(const std::string& cluster, const std::string& first_nodes,
                   const std::string& second_nodes) {
  return cluster
         + "pipeline:\n"
           "  segments:\n"
           "    - "
         + first_nodes
         + "\n"
           "      steps_config:\n"
           "        myinput:\n"
           "          bootstrap_servers: [\"a:9092\"]\n"
           "    - "
         + second_nodes
         + "\n"
           "      steps_config:\n"
           "        transform: {}\n"
           "        mysink:\n"
           "          bootstrap_servers: [\"a:9092\"]\n";
}

const std::string cluster = "cluster:\n"
                            "  nodes: {a: \"127.0.0.1:7001\", b: \"127.0.0.1:7002\"}\n"
                            "  secret: ${envvar:SECRET}\n";

load_result load(const std::string& yaml) {
  auto p = example("simple_map_filter");
  return load_text(yaml, p->graph(), {{"SECRET", "sixteen chars at least"}});
}

void check_error(const std::string& yaml, const std::string& path,
                 const std::vector<std::string>& parts) {
  auto r = load(yaml);
  INFO(all_errors(r));
  CHECK_FALSE(r);
  CHECK(find_error(r, path, parts));
}

} // namespace

TEST_SUITE("config.cluster") {
  TEST_CASE("a cluster and the nodes of each segment") {
    auto r = load(placed(cluster + "  node_timeout_ms: 5000\n", "nodes: [a]", "nodes: [a, b]"));
    INFO(all_errors(r));
    REQUIRE(r);
    REQUIRE(r.config->cluster);
    auto& c = *r.config->cluster;
    CHECK(c.nodes.size() == 2);
    CHECK(c.nodes.at("b") == "127.0.0.1:7002");
    CHECK(c.secret == "sixteen chars at least");
    CHECK(c.heartbeat == std::chrono::milliseconds(500)); // the default
    CHECK(c.node_timeout == std::chrono::milliseconds(5000));
    CHECK(r.config->segments[0].nodes == std::vector<std::string>{"a"});
    CHECK(r.config->segments[1].nodes == std::vector<std::string>{"a", "b"});
  }

  TEST_CASE("without a cluster, segments have no nodes") {
    auto r = load(placed("", "parallelism: 1", "parallelism: 1"));
    INFO(all_errors(r));
    REQUIRE(r);
    CHECK_FALSE(r.config->cluster);
    check_error(placed("", "nodes: [a]", "parallelism: 1"), "pipeline.segments[0].nodes",
                {"nodes need a cluster"});
  }

  TEST_CASE("every way to get it wrong") {
    check_error(placed(cluster, "nodes: [a]", "parallelism: 1"), "pipeline.segments[1].nodes",
                {"missing", "expected the nodes of the cluster"});
    check_error(placed(cluster, "nodes: [a]", "nodes: [bb]"), "pipeline.segments[1].nodes",
                {"no node 'bb' in the cluster", "expected one of: a, b", "did you mean b?"});
    check_error(placed(cluster, "nodes: [a, a]", "nodes: [b]"), "pipeline.segments[0].nodes",
                {"node 'a' listed twice"});
    check_error(placed(cluster, "nodes: []", "nodes: [b]"), "pipeline.segments[0].nodes",
                {"expected at least one node"});
    check_error(placed("cluster:\n  nodes: {a: \"127.0.0.1:7001\"}\n  secret: short\n",
                       "nodes: [a]", "nodes: [a]"),
                "cluster.secret", {"at least 16 characters, found 5"});
    auto r = load(placed("cluster:\n  nodes: {a: \"127.0.0.1:7001\"}\n  secret: short\n",
                         "nodes: [a]", "nodes: [a]"));
    CHECK(all_errors(r).find("short") == std::string::npos); // the secret is never shown
    check_error(placed("cluster:\n  secret: sixteen chars at least\n", "nodes: [a]", "nodes: [a]"),
                "cluster.nodes", {"missing"});
    check_error(placed(cluster + "  heartbeat_ms: 1000\n  node_timeout_ms: 1000\n", "nodes: [a]",
                       "nodes: [b]"),
                "cluster.node_timeout_ms", {"expected more than heartbeat_ms (1000)"});
    auto typo = load(placed(cluster + "  hearbeat_ms: 100\n", "nodes: [a]", "nodes: [b]"));
    CHECK(find_warning(typo, "cluster.hearbeat_ms", {"did you mean heartbeat_ms?"}));
  }

  TEST_CASE("TLS: all three files") {
    auto r = load(placed(cluster
                             + "  tls: {certificate: /etc/s/node.crt, key: /etc/s/node.key, "
                               "ca_file: /etc/s/ca.crt}\n",
                         "nodes: [a]", "nodes: [b]"));
    INFO(all_errors(r));
    REQUIRE(r);
    REQUIRE(r.config->cluster->tls);
    CHECK(r.config->cluster->tls->certificate == "/etc/s/node.crt");
    CHECK(r.config->cluster->tls->key == "/etc/s/node.key");
    CHECK(r.config->cluster->tls->ca_file == "/etc/s/ca.crt");
    CHECK_FALSE(load(placed(cluster, "nodes: [a]", "nodes: [b]")).config->cluster->tls);
    check_error(placed(cluster + "  tls: {certificate: /etc/s/node.crt, key: /etc/s/node.key}\n",
                       "nodes: [a]", "nodes: [b]"),
                "cluster.tls.ca_file", {"missing"});
  }
}
