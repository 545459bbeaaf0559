#pragma once

// A UDP socket on 127.0.0.1 at a free port, for tests of what a process sends over UDP
// (DogStatsD datagrams).

#include <chrono>
#include <cstdint>
#include <string>

namespace streams::test {

class udp_receiver {
public:
  udp_receiver();
  ~udp_receiver();
  udp_receiver(const udp_receiver&) = delete;
  udp_receiver& operator=(const udp_receiver&) = delete;

  std::uint16_t port() const { return port_; }
  /// The next datagram, or "" when none came within `limit`.
  std::string receive(std::chrono::milliseconds limit);

private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

} // namespace streams::test
