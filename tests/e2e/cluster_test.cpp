// A pipeline split over three `streams node` processes on 127.0.0.1, coordinated by
// `streams run` with a `cluster` config (docs/deploy.md), against the embedded broker; input
// produced and output read by independent clients. The relay app: source "input" on node a,
// "relay" on node b, sink "output" on node c, so that every message crosses two nodes.

#include "e2e_support.hpp"

#include "kafka/kafka_test_support.hpp"
#include "support/http_client.hpp"
#include "support/run_process.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <fstream>
#include <functional>
#include <set>
#include <thread>

using namespace streams;
using namespace streams::e2e;

namespace {

const std::string secret = "correct horse battery staple";

struct node_ports {
  std::uint16_t a = test::free_port(), b = test::free_port(), c = test::free_port();
};

/// The relay app's steps placed one per node, or `placement` (three YAML node lists: input,
/// relay, output).
void write_cluster_config(const std::string& path, const node_ports& ports,
                          const std::string& group,
                          const std::vector<std::string>& placement = {"[a]", "[b]", "[c]"},
                          const std::string& tls = "") {
  std::ofstream out(path);
  out << "env: {}\n"
         "cluster:\n"
         "  nodes: {a: \"127.0.0.1:"
      << ports.a << "\", b: \"127.0.0.1:" << ports.b << "\", c: \"127.0.0.1:" << ports.c
      << "\"}\n"
         "  secret: ${envvar:STREAMS_CLUSTER_SECRET}\n"
         "  heartbeat_ms: 200\n"
         "  node_timeout_ms: 1500\n"
      << tls
      << "pipeline:\n"
         "  segments:\n"
         "    - nodes: "
      << placement[0]
      << "\n"
         "      steps_config:\n"
         "        input:\n"
         "          bootstrap_servers: [\"${envvar:STREAMS_BOOTSTRAP_SERVERS}\"]\n"
         "          topic: e2e-in\n"
         "          consumer_group: "
      << group
      << "\n"
         "          auto_offset_reset: earliest\n"
         "          override_params:\n";
  for (auto& [k, v] : group_timing())
    out << "            " << k << ": " << v << "\n";
  out << "    - nodes: " << placement[1]
      << "\n"
         "      steps_config:\n"
         "        relay: {}\n"
         "    - nodes: "
      << placement[2]
      << "\n"
         "      steps_config:\n"
         "        output:\n"
         "          bootstrap_servers: [\"${envvar:STREAMS_BOOTSTRAP_SERVERS}\"]\n"
         "          topic: e2e-out\n"
         "metrics: {type: dummy}\n";
}

std::map<std::string, std::string> node_env(const std::string& bootstrap, const std::string& name,
                                            const std::string& key = secret, double rate = 0) {
  return {{"STREAMS_CLUSTER_SECRET", key},
          {"STREAMS_BOOTSTRAP_SERVERS", bootstrap},
          {"E2E_INSTANCE", name},
          {"E2E_RATE", std::to_string(rate)}};
}

/// `streams node` named `name` listening on 127.0.0.1:`port`, with `more` arguments.
std::unique_ptr<test::child_process> start_node(const test::temp_directory& dir,
                                                const std::string& name, std::uint16_t port,
                                                std::map<std::string, std::string> env,
                                                const std::vector<std::string>& more = {}) {
  std::vector<std::string> argv{
      STREAMS_BIN,      "node", "--listen",          "127.0.0.1:" + std::to_string(port),
      "--name",         name,   "--data-dir",        dir.file("state-" + name),
      "--heartbeat-ms", "200",  "--node-timeout-ms", "1500"};
  argv.insert(argv.end(), more.begin(), more.end());
  return std::make_unique<test::child_process>(argv, dir.path(), std::move(env));
}

/// In `dir`, made with the openssl tool: a certificate authority (ca.crt), a certificate it
/// signed (member.crt, member.key) and one it did not (rogue.crt, rogue.key: self-signed).
void make_certificates(const test::temp_directory& dir) {
  auto run = [](std::vector<std::string> args) {
    args.insert(args.begin(), "openssl");
    auto r = test::run_process(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  };
  auto key_and_request = [&](const std::string& name) {
    run({"req", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.file(name + ".key"), "-out",
         dir.file(name + ".csr"), "-subj", "/CN=" + name});
  };
  run({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.file("ca.key"), "-out",
       dir.file("ca.crt"), "-days", "1", "-subj", "/CN=streams-test-ca"});
  key_and_request("member");
  run({"x509", "-req", "-in", dir.file("member.csr"), "-CA", dir.file("ca.crt"), "-CAkey",
       dir.file("ca.key"), "-CAcreateserial", "-out", dir.file("member.crt"), "-days", "1"});
  key_and_request("rogue");
  run({"x509", "-req", "-in", dir.file("rogue.csr"), "-signkey", dir.file("rogue.key"), "-out",
       dir.file("rogue.crt"), "-days", "1"});
}

/// The cluster config's `tls` section for certificate `name`.
std::string tls_section(const test::temp_directory& dir, const std::string& name) {
  return "  tls: {certificate: \"" + dir.file(name + ".crt") + "\", key: \""
         + dir.file(name + ".key") + "\", ca_file: \"" + dir.file("ca.crt") + "\"}\n";
}

/// `streams run` coordinating the nodes of `config`; `env` adds to its environment (the app
/// must build the same pipeline as on the nodes).
std::unique_ptr<test::child_process>
start_coordinator(const test::temp_directory& dir, const std::string& config,
                  const std::string& bootstrap, const std::string& key = secret,
                  std::map<std::string, std::string> env = {}) {
  env.insert({{"STREAMS_CLUSTER_SECRET", key}, {"STREAMS_BOOTSTRAP_SERVERS", bootstrap}});
  return std::make_unique<test::child_process>(
      std::vector<std::string>{STREAMS_BIN, "run", "--config", config, RELAY_APP}, dir.path(),
      std::move(env));
}

/// The ids of the relayed values ("m-17|b" -> 17), each once, and the nodes that relayed them.
std::set<int> relayed_ids(const std::vector<record>& records, std::set<std::string>* nodes) {
  std::set<int> ids;
  for (auto& r : records) {
    ids.insert(id_of(r.value));
    if (nodes)
      nodes->insert(r.value.substr(r.value.rfind('|') + 1));
  }
  return ids;
}

std::set<int> all_ids(int n) {
  std::set<int> ids;
  for (int i = 0; i < n; ++i)
    ids.insert(i);
  return ids;
}

/// How a test starts the three nodes of its cluster.
struct node_setup {
  double rate = 0; ///< the relay step's messages/s on that node, 0 unthrottled
  std::string key = secret;
  std::map<std::string, std::string> env = {}; ///< more of the node's environment
};

/// The embedded broker with `count` messages in e2e-in, a directory with the cluster config
/// (the relay app over nodes a, b and c, placed by `placement`, `tls` added), and the three
/// nodes started as `setup` says (`more` arguments for each).
struct three_nodes {
  kafka::embedded_broker broker;
  std::string boot = broker.bootstrap_servers();
  test::temp_directory dir;
  node_ports ports;
  std::string config = dir.file("cluster.yaml");
  std::unique_ptr<test::child_process> a, b, c;

  three_nodes(
      int partitions, int count, const std::string& group,
      std::map<std::string, node_setup> setup = {},
      const std::vector<std::string>& placement = {"[a]", "[b]", "[c]"},
      const std::function<std::string(const test::temp_directory&)>& tls = nullptr,
      const std::function<std::vector<std::string>(const test::temp_directory&)>& more = nullptr)
      : broker(1, {{"e2e-in", partitions}, {"e2e-out", 1}}) {
    if (count > 0)
      kafka::test::produce_with_python(boot, "e2e-in", count, "m");
    write_cluster_config(config, ports, group, placement, tls ? tls(dir) : "");
    auto start = [&](const std::string& name, std::uint16_t port) {
      auto& s = setup[name];
      auto env = node_env(boot, name, s.key, s.rate);
      env.insert(s.env.begin(), s.env.end());
      return start_node(dir, name, port, std::move(env),
                        more ? more(dir) : std::vector<std::string>{});
    };
    a = start("a", ports.a);
    b = start("b", ports.b);
    c = start("c", ports.c);
  }

  std::unique_ptr<test::child_process> coordinator(const std::string& key = secret,
                                                   const std::string& config_file = "",
                                                   std::map<std::string, std::string> env = {}) {
    return start_coordinator(dir, config_file.empty() ? config : config_file, boot, key,
                             std::move(env));
  }
  std::vector<record> output() const { return read_topic(boot, "e2e-out"); }
};

} // namespace

TEST_SUITE("e2e.cluster") {
  TEST_CASE("three nodes run one pipeline: every input arrives, offsets are committed") {
    constexpr int count = 3000;
    three_nodes n(4, count, "cluster-all");
    auto coordinator = n.coordinator();

    bool all = test::eventually([&] { return n.output().size() >= count; }, 60s);
    INFO("coordinator: " << coordinator->err());
    INFO("node b: " << n.b->err());
    REQUIRE(all);
    auto committed = wait_committed_to_end(n.boot, "e2e-in", "cluster-all");
    CHECK(committed == end_offsets(n.boot, "e2e-in"));
    coordinator->signal(SIGTERM);
    CHECK(coordinator->wait(30s) == 0);

    std::set<std::string> nodes;
    auto out = n.output();
    CHECK(out.size() == count); // a clean run repeats nothing
    auto ids = relayed_ids(out, &nodes);
    INFO(difference(ids, all_ids(count)));
    CHECK(ids == all_ids(count));
    CHECK(nodes == std::set<std::string>{"b"}); // the relay step ran on node b only
    // The nodes go on, ready for the next coordinator, until they are stopped.
    for (auto* node : {n.a.get(), n.b.get(), n.c.get()}) {
      CHECK(node->running());
      node->signal(SIGTERM);
      CHECK(node->wait(30s) == 0);
    }
  }

  TEST_CASE("a node killed mid-stream: the pipeline restarts on the nodes left, nothing lost") {
    constexpr int count = 2000;
    // Slow relays, so that node b dies with most of the input still to come.
    three_nodes n(4, count, "cluster-kill", {{"a", {400}}, {"b", {400}}, {"c", {400}}});
    auto coordinator = n.coordinator();

    REQUIRE(test::eventually([&] { return n.output().size() >= 200; }, 60s));
    n.b->signal(SIGKILL);
    CHECK(n.b->wait(10s) == 128 + SIGKILL);

    bool all =
        test::eventually([&] { return relayed_ids(n.output(), nullptr).size() >= count; }, 90s);
    INFO("coordinator: " << coordinator->err());
    REQUIRE(all);
    coordinator->signal(SIGTERM);
    CHECK(coordinator->wait(30s) == 0);
    std::set<std::string> nodes;
    auto ids = relayed_ids(n.output(), &nodes);
    CHECK(ids == all_ids(count));
    CHECK(nodes.count("b") == 1); // before the kill
    CHECK(nodes.size() >= 2);     // and after it, elsewhere
    CHECK(coordinator->err().find("node 'b' is lost") != std::string::npos);
  }

  TEST_CASE("a stateful step's node killed: its state follows it, the counts stay exact") {
    // The relay app counts per key in windows of 10 (step "counts", after "relay" on node b);
    // the state is replicated to a changelog topic, from which the node that takes the step
    // over restores it.
    constexpr int keys = 7, window = 10, count = keys * window * 30;
    std::map<std::string, std::string> counting{{"E2E_COUNT_WINDOW", std::to_string(window)}};
    node_setup node{400, secret, counting};
    three_nodes n(4, 0, "cluster-state", {{"a", node}, {"b", node}, {"c", node}});
    n.broker.create_topic("e2e-state", 1);
    kafka::test::produce_with_python(n.boot, "e2e-in", count, "m", keys);
    std::ofstream(n.config, std::ios::app)
        << "state_changelog:\n  bootstrap_servers: [\"${envvar:STREAMS_BOOTSTRAP_SERVERS}\"]\n"
           "  topic: e2e-state\n";
    auto coordinator = n.coordinator(secret, "", counting);

    bool started = test::eventually([&] { return n.output().size() >= 30; }, 60s);
    INFO("coordinator: " << coordinator->err());
    INFO("node a: " << n.a->err());
    INFO("node b: " << n.b->err());
    INFO("node c: " << n.c->err());
    REQUIRE(started);
    n.b->signal(SIGKILL);
    CHECK(n.b->wait(10s) == 128 + SIGKILL);
    auto committed = wait_committed_to_end(n.boot, "e2e-in", "cluster-state", 90s);
    CHECK(committed == end_offsets(n.boot, "e2e-in"));
    coordinator->signal(SIGTERM);
    CHECK(coordinator->wait(30s) == 0);
    CHECK(coordinator->err().find("node 'b' is lost") != std::string::npos);
    check_exact_window_counts(n.output(), count, keys, window);
  }

  TEST_CASE("nodes whose app builds another pipeline than the coordinator's refuse to run it") {
    // The relay app builds a counting pipeline when E2E_COUNT_WINDOW is set: on the nodes only.
    node_setup counting{0, secret, {{"E2E_COUNT_WINDOW", "10"}}};
    three_nodes n(1, 10, "cluster-mismatch", {{"a", counting}, {"b", counting}, {"c", counting}});
    auto coordinator = n.coordinator();
    CHECK(coordinator->wait(60s) == 1);
    INFO("coordinator: " << coordinator->err());
    CHECK(coordinator->err().find("builds the steps [input, relay, counts, format, output], the "
                                  "coordinator's [input, relay, output]")
          != std::string::npos);
    CHECK(coordinator->err().find("runtime.pipeline_mismatch, user") != std::string::npos);
    CHECK(n.output().empty());
  }

  TEST_CASE("a killed node started again is used again, and nothing is lost") {
    constexpr int count = 3000;
    three_nodes n(4, count, "cluster-return", {{"a", {400}}, {"b", {400}}, {"c", {400}}});
    auto coordinator = n.coordinator();

    REQUIRE(test::eventually([&] { return n.output().size() >= 200; }, 60s));
    n.b->signal(SIGKILL);
    CHECK(n.b->wait(10s) == 128 + SIGKILL);
    // Once the pipeline runs again without it, node b again on its port: what its relay step
    // passes on is tagged "b2". The coordinator, trying it every node_timeout_ms, drains the
    // running attempt to place the relay step on it again.
    REQUIRE(test::eventually(
        [&] { return coordinator->err().find("attempt 2: running") != std::string::npos; }, 15s));
    n.b = start_node(n.dir, "b", n.ports.b, node_env(n.boot, "b2", secret, 400));
    bool back = test::eventually(
        [&] {
          return coordinator->err().find("draining attempt 2 to run on node 'b' again")
                 != std::string::npos;
        },
        30s);
    INFO("coordinator: " << coordinator->err());
    INFO("node b: " << n.b->err());
    REQUIRE(back);

    bool all =
        test::eventually([&] { return relayed_ids(n.output(), nullptr).size() >= count; }, 60s);
    REQUIRE(all);
    coordinator->signal(SIGTERM);
    CHECK(coordinator->wait(30s) == 0);
    std::set<std::string> nodes;
    CHECK(relayed_ids(n.output(), &nodes) == all_ids(count));
    CHECK(n.b->err().find("running attempt 3") != std::string::npos);
    CHECK(nodes.count("b2") == 1); // the relay step ran on the node back
  }

  TEST_CASE("a node that does not know the secret is refused, and so is a coordinator") {
    three_nodes n(1, 10, "cluster-secret", {{"a", {0, "a wrong secret, long enough"}}});

    SUBCASE("a node with a wrong secret is left out") {
      auto coordinator = n.coordinator();
      bool refused = test::eventually(
          [&] {
            return coordinator->err().find("node 'a' does not know the cluster secret")
                   != std::string::npos;
          },
          30s);
      INFO(coordinator->err());
      CHECK(refused);
      // The pipeline runs on the nodes that know the secret.
      CHECK(test::eventually([&] { return n.output().size() >= 10; }, 60s));
      std::set<std::string> nodes;
      relayed_ids(n.output(), &nodes);
      CHECK(nodes.count("a") == 0);
      coordinator->signal(SIGTERM);
      CHECK(coordinator->wait(30s) == 0);
      CHECK(coordinator->err().find(secret) == std::string::npos);
    }
    SUBCASE("a coordinator with a wrong secret runs nothing") {
      auto coordinator = n.coordinator("not the secret, but long");
      REQUIRE(coordinator->wait(60s) == 1);
      auto err = coordinator->err();
      INFO(err);
      // The nodes answered with proofs this coordinator cannot verify: it gives up.
      CHECK(err.find("node 'b' does not know the cluster secret") != std::string::npos);
      CHECK(err.find("no node of the cluster is left") != std::string::npos);
      CHECK(n.output().empty());
    }
  }

  TEST_CASE("a node frozen past node_timeout_ms is replaced, and stops when it resumes") {
    constexpr int count = 2000;
    // Node b relays and writes beside node c: frozen, its replica of both is replaced.
    three_nodes n(4, count, "cluster-freeze", {{"a", {200}}, {"b", {200}}, {"c", {200}}},
                  {"[a]", "[b, c]", "[b, c]"});
    auto coordinator = n.coordinator();

    auto by_b = [&] {
      std::size_t count_b = 0;
      for (auto& r : n.output())
        count_b += r.value.substr(r.value.rfind('|') + 1) == "b";
      return count_b;
    };
    REQUIRE(test::eventually([&] { return by_b() >= 50; }, 60s));
    n.b->signal(SIGSTOP);
    auto frozen_at = std::chrono::steady_clock::now();
    bool lost = test::eventually(
        [&] { return coordinator->err().find("node 'b' is lost") != std::string::npos; }, 30s);
    INFO("coordinator: " << coordinator->err());
    REQUIRE(lost);
    // Within node_timeout_ms (1.5 s), give or take a heartbeat and this loop's polling.
    CHECK(std::chrono::steady_clock::now() - frozen_at < 1500ms + 3s);
    n.b->signal(SIGCONT);
    // Back, it finds the coordinator gone and aborts what it ran.
    bool fenced = test::eventually(
        [&] { return n.b->err().find("the coordinator is gone") != std::string::npos; }, 30s);
    INFO("node b: " << n.b->err());
    CHECK(fenced);

    bool all =
        test::eventually([&] { return relayed_ids(n.output(), nullptr).size() >= count; }, 90s);
    REQUIRE(all);
    coordinator->signal(SIGTERM);
    CHECK(coordinator->wait(30s) == 0);
    CHECK(relayed_ids(n.output(), nullptr) == all_ids(count));
  }

  TEST_CASE("a slow step on one node holds back the source on another") {
    constexpr int count = 30000;
    three_nodes n(4, count, "cluster-slow", {{"b", {1000}}}); // the slow relay
    auto coordinator = n.coordinator();

    REQUIRE(test::eventually([&] { return n.output().size() >= 2000; }, 60s));
    coordinator->signal(SIGTERM);
    REQUIRE(coordinator->wait(60s) == 0);
    auto err = coordinator->err();
    INFO(err);
    // The source on node a had at most about two credit windows out (relay's input and
    // output) although all 30,000 were there to read: credit crossed the nodes both ways.
    auto at = err.find("step 'input'");
    REQUIRE(at != std::string::npos);
    auto most = err.find("at most ", at);
    REQUIRE(most != std::string::npos);
    auto in_flight = std::stoul(err.substr(most + 8));
    CHECK(in_flight > 0);
    CHECK(in_flight <= 3 * 2048);
    CHECK(n.output().size() < count);
  }

  TEST_CASE("the coordinator killed: the nodes stop what they run, and a new one takes over") {
    constexpr int count = 2000;
    three_nodes n(4, count, "cluster-coordinator", {{"a", {400}}, {"b", {400}}, {"c", {400}}});
    auto first = n.coordinator();

    REQUIRE(test::eventually([&] { return n.output().size() >= 200; }, 60s));
    first->signal(SIGKILL);
    for (auto* node : {n.a.get(), n.b.get(), n.c.get()}) {
      bool stopped = test::eventually(
          [&] { return node->err().find("the coordinator is gone") != std::string::npos; }, 15s);
      INFO(node->err());
      CHECK(stopped);
    }
    auto output = n.output().size();
    std::this_thread::sleep_for(1s); // nothing more comes out once every node has stopped
    CHECK(n.output().size() == output);

    auto second = n.coordinator();
    bool all =
        test::eventually([&] { return relayed_ids(n.output(), nullptr).size() >= count; }, 90s);
    INFO("second coordinator: " << second->err());
    REQUIRE(all);
    second->signal(SIGTERM);
    CHECK(second->wait(30s) == 0);
    CHECK(relayed_ids(n.output(), nullptr) == all_ids(count));
  }

  TEST_CASE("over TLS: only processes whose certificates the authority signed take part") {
    constexpr int count = 500;
    three_nodes n(
        2, count, "cluster-tls", {}, {"[a]", "[b]", "[c]"},
        [](const test::temp_directory& dir) {
          make_certificates(dir);
          return tls_section(dir, "member");
        },
        [](const test::temp_directory& dir) {
          return std::vector<std::string>{"--tls-certificate", dir.file("member.crt"),
                                          "--tls-key",         dir.file("member.key"),
                                          "--tls-ca-file",     dir.file("ca.crt")};
        });

    SUBCASE("a coordinator whose certificate the authority signed") {
      auto coordinator = n.coordinator();
      bool all = test::eventually([&] { return n.output().size() >= count; }, 60s);
      INFO("coordinator: " << coordinator->err());
      INFO("node b: " << n.b->err());
      REQUIRE(all);
      coordinator->signal(SIGTERM);
      CHECK(coordinator->wait(30s) == 0);
      CHECK(relayed_ids(n.output(), nullptr) == all_ids(count));
      CHECK(n.b->err().find("(TLS)") != std::string::npos);
    }
    SUBCASE("a coordinator with a certificate of its own making is refused in the handshake") {
      auto config = n.dir.file("rogue.yaml");
      write_cluster_config(config, n.ports, "cluster-tls", {"[a]", "[b]", "[c]"},
                           tls_section(n.dir, "rogue"));
      auto coordinator = n.coordinator(secret, config);
      REQUIRE(coordinator->wait(60s) == 1);
      INFO(coordinator->err());
      CHECK(coordinator->err().find("cannot be reached") != std::string::npos);
      CHECK(n.output().empty());
    }
    SUBCASE("a coordinator without TLS gets nowhere") {
      auto config = n.dir.file("plain.yaml");
      write_cluster_config(config, n.ports, "cluster-tls");
      auto coordinator = n.coordinator(secret, config);
      REQUIRE(coordinator->wait(60s) == 1);
      CHECK(n.output().empty());
    }
  }
}
