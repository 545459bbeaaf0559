#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace streams::net {

/// What a route answers.
struct http_response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

/// A small HTTP server (civetweb) answering GET on a fixed set of paths, e.g. /metrics,
/// /health and /ready. Routes run on the listener's own threads (two), so they must be
/// thread-safe; any other path gets 404.
///
/// Lifecycle: the constructor binds and starts serving (throwing `std::runtime_error` naming
/// the address when it cannot bind); the destructor stops and waits for requests in progress.
class http_listener {
public:
  using route = std::function<http_response()>;

  /// Listens on `host`:`port` (IPv4; port 0 picks a free one).
  http_listener(const std::string& host, std::uint16_t port, std::map<std::string, route> routes);
  ~http_listener();
  http_listener(const http_listener&) = delete;
  http_listener& operator=(const http_listener&) = delete;

  /// The port it listens on (the one picked, when asked for 0).
  std::uint16_t port() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace streams::net
