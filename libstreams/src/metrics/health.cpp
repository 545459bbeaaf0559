#include "streams/metrics/health.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

namespace streams::metrics {

void health_check::fail(std::string problem) {
  ok = false;
  if (std::find(problems.begin(), problems.end(), problem) == problems.end())
    problems.push_back(std::move(problem));
}

std::string health_check::json() const {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  w.StartObject();
  w.Key("status");
  w.String(ok ? "ok" : "unavailable");
  w.Key("problems");
  w.StartArray();
  for (auto& p : problems)
    w.String(p.c_str(), static_cast<rapidjson::SizeType>(p.size()));
  w.EndArray();
  w.EndObject();
  return out.GetString();
}

health_check check_liveness(const metrics_registry& r, std::chrono::milliseconds stall_timeout) {
  health_check h;
  if (!r.running)
    return h; // starting or ended: nothing can be stuck
  auto now = steady_ms();
  auto late = [&](const gauge& answered) { return now - answered.value() > stall_timeout.count(); };
  if (late(r.heartbeat_ms))
    h.fail("the supervisor has not answered for " + std::to_string(now - r.heartbeat_ms.value())
           + " ms");
  for (auto& m : r.steps())
    if (!m.ended && late(m.answered_ms))
      h.fail("step '" + m.step + "' has not answered for "
             + std::to_string(now - m.answered_ms.value()) + " ms: stuck in a call");
  return h;
}

health_check check_readiness(const metrics_registry& r) {
  health_check h;
  if (!r.running)
    h.fail("the pipeline is not running");
  for (auto& m : r.steps())
    if (!m.ended)
      if (auto why = m.not_ready(); !why.empty())
        h.fail("step '" + m.step + "': " + why);
  return h;
}

} // namespace streams::metrics
