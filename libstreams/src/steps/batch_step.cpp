#include "streams/steps/batch_step.hpp"

namespace streams {

void batch_step::process(message& m, emitter& out) {
  if (pending_.empty())
    first_at_ = clock::now();
  pending_.push_back(std::move(m));
  if (pending_.size() >= max_messages_)
    emit_batch(out);
}

std::optional<clock::time_point> batch_step::next_deadline() const {
  if (pending_.empty())
    return std::nullopt;
  return first_at_ + max_wait_;
}

void batch_step::on_tick(clock::time_point now, emitter& out) {
  if (!pending_.empty() && now >= first_at_ + max_wait_)
    emit_batch(out);
}

void batch_step::on_close(emitter& out, close_reason) {
  if (!pending_.empty())
    emit_batch(out);
}

void batch_step::emit_batch(emitter& out) {
  auto result = pending_.front().derive(gather_(pending_));
  result.headers() = pending_.front().headers();
  result.set_timestamp(pending_.back().timestamp());
  for (auto& m : pending_)
    result.lineage().absorb(m.lineage());
  pending_.clear();
  out.emit(0, std::move(result));
}

} // namespace streams
