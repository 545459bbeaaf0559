#include "streams/net/http_listener.hpp"

#include <civetweb.h>

#include <stdexcept>

namespace streams::net {

struct http_listener::impl {
  std::map<std::string, route> routes;
  mg_context* ctx = nullptr;
  std::uint16_t port = 0;

  static const char* reason(int status) {
    switch (status) {
      case 200: return "OK";
      case 404: return "Not Found";
      case 503: return "Service Unavailable";
      default: return "Internal Server Error";
    }
  }

  /// civetweb's request handler: answers from the route registered for the request's path.
  static int serve(mg_connection* conn, void* data) {
    auto& self = *static_cast<impl*>(data);
    auto* info = mg_get_request_info(conn);
    http_response r;
    auto it = self.routes.find(info->local_uri ? info->local_uri : "");
    if (it == self.routes.end()) {
      r.status = 404;
      r.body = "not found; try /metrics, /health or /ready\n";
    } else {
      try {
        r = it->second();
      } catch (const std::exception& e) {
        r.status = 500;
        r.body = std::string(e.what()) + "\n";
      }
    }
    mg_printf(conn,
              "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
              "Connection: close\r\n\r\n",
              r.status, reason(r.status), r.content_type.c_str(), r.body.size());
    mg_write(conn, r.body.data(), r.body.size());
    return r.status;
  }
};

http_listener::http_listener(const std::string& host, std::uint16_t port,
                             std::map<std::string, route> routes)
    : impl_(std::make_unique<impl>()) {
  impl_->routes = std::move(routes);
  mg_init_library(0);
  auto address = host + ":" + std::to_string(port);
  const char* options[] = {"listening_ports", address.c_str(), "num_threads", "2", nullptr};
  mg_callbacks callbacks{};
  mg_init_data init{&callbacks, impl_.get(), options};
  char text[256] = "";
  unsigned code = 0;
  mg_error_data error{&code, text, sizeof text};
  impl_->ctx = mg_start2(&init, &error);
  if (!impl_->ctx) {
    mg_exit_library();
    throw std::runtime_error("cannot listen on " + address + ": " + text);
  }
  mg_set_request_handler(impl_->ctx, "/", &impl::serve, impl_.get());
  mg_server_port ports[1]{};
  if (mg_get_server_ports(impl_->ctx, 1, ports) > 0)
    impl_->port = static_cast<std::uint16_t>(ports[0].port);
}

http_listener::~http_listener() {
  mg_stop(impl_->ctx);
  mg_exit_library();
}

std::uint16_t http_listener::port() const { return impl_->port; }

} // namespace streams::net
