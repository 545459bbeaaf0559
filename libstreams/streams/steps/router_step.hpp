#pragma once

#include "streams/step_operator.hpp"

#include <functional>
#include <string>
#include <vector>

namespace streams {

/// Sends each message to exactly one branch: the one the function names. A name that is
/// no branch of the router is an invalid message.
class router_step : public step_operator {
public:
  using function = std::function<std::string(const message&)>;
  router_step(std::vector<std::string> branches, function f)
      : branches_(std::move(branches)), f_(std::move(f)) {}
  void process(message& m, emitter& out) override;

private:
  std::vector<std::string> branches_;
  function f_;
};

/// Sends an independent copy of each message to every branch; each copy carries a share
/// of the lineage, so the source offset is done only when every copy is.
class broadcast_step : public step_operator {
public:
  explicit broadcast_step(std::size_t branches) : branches_(branches) {}
  void process(message& m, emitter& out) override;

private:
  std::size_t branches_;
};

} // namespace streams
