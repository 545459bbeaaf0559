#pragma once

#include "streams/step_operator.hpp"

#include "streams/value.hpp"
#include <chrono>
#include <functional>
#include <vector>

namespace streams {

/// Gathers messages into one message whose payload is the list of their payloads, emitted
/// when `max_messages` are in or `max_wait` has passed since the first, whichever comes
/// first (and on close). The output carries the lineage of every input, the key and
/// headers of the first and the timestamp of the last.
class batch_step : public step_operator {
public:
  /// Builds the output payload (a `std::vector<T>`) from the inputs' payloads.
  using gather = std::function<value(std::vector<message>&)>;

  batch_step(std::size_t max_messages, std::chrono::milliseconds max_wait, gather g)
      : max_messages_(max_messages), max_wait_(max_wait), gather_(std::move(g)) {}

  void process(message& m, emitter& out) override;
  std::optional<clock::time_point> next_deadline() const override;
  void on_tick(clock::time_point now, emitter& out) override;
  void on_close(emitter& out, close_reason why) override;

private:
  void emit_batch(emitter& out);

  std::size_t max_messages_;
  std::chrono::milliseconds max_wait_;
  gather gather_;
  std::vector<message> pending_;
  clock::time_point first_at_;
};

} // namespace streams
