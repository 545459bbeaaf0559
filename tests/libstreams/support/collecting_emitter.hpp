#pragma once

#include "streams/step_operator.hpp"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace streams::test {

/// Ends the input of `step` as the runtime does: `on_close`, then `close_more` for as long as
/// the step holds more to emit.
inline void close_input(step_operator& step, emitter& out,
                        close_reason why = close_reason::exhausted) {
  step.on_close(out, why);
  while (step.close_pending())
    step.close_more(out);
}

/// An emitter that keeps everything a step emits or drops, in call order, so that a test
/// can drive a `step_operator` directly without any runtime.
class collecting_emitter : public emitter {
public:
  struct emitted {
    std::size_t port;
    message msg;
  };

  void emit(std::size_t port, message&& m) override { out.push_back({port, std::move(m)}); }
  void drop(message&& m) override { dropped.push_back(std::move(m)); }
  void release(origin_ranges&& r) override { released.push_back(std::move(r)); }
  void emit_tracked(std::size_t port, message&& m, std::uint64_t id) override {
    tracked.push_back(id);
    out.push_back({port, std::move(m)});
  }
  void reject(message&& m, const std::string& reason) override {
    rejected.push_back({std::move(m), reason});
  }

  /// The messages emitted on `port`, in emission order.
  std::vector<const message*> on_port(std::size_t port) const {
    std::vector<const message*> result;
    for (auto& e : out)
      if (e.port == port)
        result.push_back(&e.msg);
    return result;
  }

  /// The first message emitted on `port`, to modify; throws when there is none.
  message& first_on_port(std::size_t port) {
    for (auto& e : out)
      if (e.port == port)
        return e.msg;
    throw std::out_of_range("nothing was emitted on port " + std::to_string(port));
  }

  bool empty() const { return out.empty() && dropped.empty(); }

  std::vector<emitted> out;
  std::vector<message> dropped;
  std::vector<origin_ranges> released;
  std::vector<std::uint64_t> tracked; ///< ids of `emit_tracked` outputs, in order
  std::vector<std::pair<message, std::string>> rejected;
};

} // namespace streams::test
