#include "streams/metrics/dogstatsd_client.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace streams::metrics {

namespace {

constexpr std::size_t max_packet = 1432;

std::string tag_text(const std::string& s) {
  std::string out = s;
  for (auto& c : out)
    if (c == '|' || c == ',')
      c = '_';
  return out;
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

} // namespace

dogstatsd_client::dogstatsd_client(const std::string& host, std::uint16_t port,
                                   std::map<std::string, std::string> tags) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  auto where = host + ":" + std::to_string(port);
  if (int err = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found))
    throw std::runtime_error("DogStatsD agent " + where + ": " + gai_strerror(err));
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  // Connected: each send goes to the agent without naming it again.
  bool ok = fd_ >= 0 && ::connect(fd_, found->ai_addr, found->ai_addrlen) == 0;
  auto error = std::strerror(errno);
  freeaddrinfo(found);
  if (!ok) {
    if (fd_ >= 0)
      ::close(fd_);
    throw std::runtime_error("DogStatsD agent " + where + ": " + error);
  }
  for (auto& [k, v] : tags)
    constant_tags_ += (constant_tags_.empty() ? "" : ",") + tag_text(k) + ":" + tag_text(v);
}

dogstatsd_client::~dogstatsd_client() { ::close(fd_); }

void dogstatsd_client::flush(std::string& packet) {
  if (packet.empty())
    return;
  // A refused datagram (no agent listening yet) is not an error worth stopping for.
  (void)::send(fd_, packet.data(), packet.size(), MSG_DONTWAIT);
  packet.clear();
}

void dogstatsd_client::send(const std::vector<sample>& samples) {
  std::string packet;
  for (auto& s : samples) {
    std::string key = s.name;
    std::string tags = constant_tags_;
    for (auto& [k, v] : s.tags) {
      tags += (tags.empty() ? "" : ",") + tag_text(k) + ":" + tag_text(v);
      key += "|" + v;
    }
    auto& before = sent_[key];
    std::string value;
    switch (s.kind) {
      case sample::counter:
        if (s.value > before.value)
          value = number(s.value - before.value) + "|c";
        before.value = s.value;
        break;
      case sample::gauge: value = number(s.value) + "|g"; break;
      case sample::histogram: {
        auto n = s.buckets.count() - before.buckets.count();
        if (n > 0)
          value =
              number((s.buckets.sum - before.buckets.sum) * 1000 / static_cast<double>(n)) + "|ms";
        before.buckets = s.buckets;
        break;
      }
    }
    if (value.empty())
      continue;
    auto line = s.name + ":" + value + (tags.empty() ? "" : "|#" + tags);
    if (!packet.empty() && packet.size() + 1 + line.size() > max_packet)
      flush(packet);
    packet += (packet.empty() ? "" : "\n") + line;
  }
  flush(packet);
}

} // namespace streams::metrics
