#pragma once

// A plain HTTP/1.1 GET over a real TCP socket to 127.0.0.1, for tests of the /metrics,
// /health and /ready endpoints; and a free port to give a server under test.

#include <chrono>
#include <cstdint>
#include <string>

namespace streams::test {

struct http_reply {
  int status = 0; ///< 0 when nothing answered (connection refused, timed out)
  std::string body;
};

/// GET `path` from 127.0.0.1:`port`, giving up after `limit`.
http_reply http_get(std::uint16_t port, const std::string& path,
                    std::chrono::milliseconds limit = std::chrono::seconds(5));

/// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then closed).
std::uint16_t free_port();

} // namespace streams::test
