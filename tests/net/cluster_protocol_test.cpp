// The pieces of the cluster protocol that need no network: the secret's challenge-response,
// the deploy request's wire form, and where segments go when nodes are lost.

#include "cluster_system.hpp"
#include "secret_proof.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace streams;
using namespace streams::net;

TEST_SUITE("net.cluster_protocol") {
  TEST_CASE("only the holder of the secret answers a challenge, for its own role") {
    const std::string secret = "0123456789abcdef-secret";
    auto challenge = make_challenge();
    CHECK(challenge.size() == 64);
    CHECK(make_challenge() != challenge); // fresh every time
    auto answer = prove(secret, "node", challenge);
    CHECK(verify(secret, "node", challenge, answer));
    CHECK_FALSE(verify("another secret of some length", "node", challenge, answer));
    CHECK_FALSE(verify(secret, "coordinator", challenge, answer)); // not replayable the other way
    CHECK_FALSE(verify(secret, "node", make_challenge(), answer)); // nor for another challenge
    CHECK_FALSE(verify(secret, "node", challenge, answer.substr(1)));
    CHECK_FALSE(verify(secret, "node", challenge, ""));
    CHECK(answer.find(secret) == std::string::npos);
  }

  TEST_CASE("a deploy request crosses the network unchanged") {
    deploy_request r{"relay.so",
                     "/etc/streams/cluster.yaml",
                     "p",
                     {{"a"}, {"b", "c"}},
                     {{"a", "127.0.0.1:7001"}, {"b", "127.0.0.1:7002"}},
                     3,
                     1764650000000001,
                     {"input", "relay", "output"}};
    auto back = parse_request(serialize(r));
    CHECK(back.app == r.app);
    CHECK(back.config == r.config);
    CHECK(back.name == r.name);
    CHECK(back.placement == r.placement);
    CHECK(back.addresses == r.addresses);
    CHECK(back.attempt == 3);
    CHECK(back.generation == r.generation);
    CHECK(back.steps == r.steps);
    CHECK_THROWS(parse_request("{\"app\": 1}"));
    CHECK_THROWS(parse_request("not json"));
  }

  TEST_CASE("a lost node's segments go to the nodes left") {
    std::vector<std::vector<std::string>> placed{{"a"}, {"b"}, {"b", "c"}};
    std::vector<std::string> all{"a", "b", "c"};
    CHECK(surviving(placed, {}, all) == placed);
    using lists = std::vector<std::vector<std::string>>;
    CHECK(surviving(placed, {"b"}, all) == lists{{"a"}, {"a", "c"}, {"c"}});
    CHECK(surviving(placed, {"a", "b"}, all) == lists{{"c"}, {"c"}, {"c"}});
    CHECK(surviving(placed, {"a", "b", "c"}, all) == lists{{}, {}, {}});
  }
}
