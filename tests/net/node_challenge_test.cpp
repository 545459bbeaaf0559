// A `streams node` process, spoken to by an actor system of the test's own over the cluster
// protocol: a challenge left unanswered past node_timeout_ms expires.

#include "cluster_system.hpp"
#include "secret_proof.hpp"
#include "support/child_process.hpp"
#include "support/http_client.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <doctest/doctest.h>

#include <csignal>
#include <thread>

using namespace std::chrono_literals;
using namespace streams;
using namespace streams::net;

TEST_SUITE("net.node_challenge") {
  TEST_CASE("a challenge not answered within node_timeout_ms expires") {
    const std::string secret = "sixteen characters or more";
    test::temp_directory dir;
    auto address = "127.0.0.1:" + std::to_string(test::free_port());
    test::child_process node({STREAMS_BIN, "node", "--listen", address, "--name", "x",
                              "--heartbeat-ms", "100", "--node-timeout-ms", "500"},
                             dir.path(), {{"STREAMS_CLUSTER_SECRET", secret}});
    caf::actor_system_config cfg;
    configure(cfg, 100ms, 500ms, std::nullopt);
    caf::actor_system sys{cfg};
    auto peer = connect(sys, address, false, 1s);
    for (auto give_up = std::chrono::steady_clock::now() + 20s;
         !peer && std::chrono::steady_clock::now() < give_up;) { // the node may be starting
      std::this_thread::sleep_for(100ms);
      peer = connect(sys, address, false, 1s);
    }
    INFO(node.err());
    REQUIRE(peer);

    caf::scoped_actor self{sys};
    // Says hello, answers the node's challenge after `delay`: whether the node accepts.
    auto authenticate = [&](std::chrono::milliseconds delay) {
      std::string theirs;
      self->request(*peer, 5s, hello_atom::value, make_challenge())
          .receive([&](const std::string& challenge, const std::string&,
                       const std::string&) { theirs = challenge; },
                   [&](caf::error& e) { FAIL(sys.render(e)); });
      std::this_thread::sleep_for(delay);
      bool accepted = false;
      self->request(*peer, 5s, auth_atom::value, prove(secret, "coordinator", theirs))
          .receive([&](bool ok, const std::string&) { accepted = ok; },
                   [&](caf::error& e) { FAIL(sys.render(e)); });
      return accepted;
    };
    CHECK(authenticate(0ms));
    CHECK_FALSE(authenticate(1500ms)); // the right answer, three times node_timeout_ms late
    CHECK(authenticate(0ms));          // a fresh challenge passes again
    node.signal(SIGTERM);
    CHECK(node.wait(10s) == 0);
    CHECK(node.err().find("no challenge of it is pending") != std::string::npos);
  }
}
