#pragma once

// How the coordinator and the nodes of a cluster prove to each other that they know the
// cluster's secret without sending it: each side sends a fresh random challenge, the other
// answers with HMAC-SHA256(secret, role + challenge). The role in the MAC keeps an answer
// from being replayed in the other direction. CAF-free.

#include <string>
#include <string_view>

namespace streams::net {

/// 32 random bytes from the system's CSPRNG, hex-encoded.
std::string make_challenge();

/// The answer to `challenge` of the side playing `role` ("node" or "coordinator").
std::string prove(std::string_view secret, std::string_view role, std::string_view challenge);

/// Whether `answer` is the right answer, compared in constant time.
bool verify(std::string_view secret, std::string_view role, std::string_view challenge,
            std::string_view answer);

} // namespace streams::net
