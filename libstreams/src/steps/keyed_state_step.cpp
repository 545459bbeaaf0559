#include "streams/steps/keyed_state_step.hpp"

#include "../windows/state_keys.hpp"

#include "streams/key_hash.hpp"
#include "streams/state/state_store.hpp"

#include <algorithm>

namespace streams {

/// A key's state as the user function sees it: reads through to the step's cache, writes kept
/// aside until the function has returned.
class keyed_state_step::cell : public state_cell {
public:
  explicit cell(const entry& e) : e_(e) {}
  std::optional<std::string_view> get() const override {
    auto& bytes = changed_ ? next_ : e_.bytes;
    if (!bytes)
      return std::nullopt;
    return std::string_view(*bytes);
  }
  void put(std::string bytes) override {
    next_ = std::move(bytes);
    changed_ = true;
  }
  void erase() override {
    next_.reset();
    changed_ = true;
  }
  bool changed() const { return changed_; }
  std::optional<std::string>& next() { return next_; }

private:
  const entry& e_;
  std::optional<std::string> next_;
  bool changed_ = false;
};

keyed_state_step::keyed_state_step(keyed_state_functions f) : f_(std::move(f)) {}
keyed_state_step::~keyed_state_step() = default;

std::string keyed_state_step::state_record(const std::string& key) const {
  auto r = state_keys::prefix(ctx_.step, 's');
  r.append(key);
  return r;
}

keyed_state_step::entry& keyed_state_step::lookup(const std::string& key) {
  auto [it, fresh] = cache_.try_emplace(key);
  if (fresh && store_)
    it->second.bytes = store_->get(state_record(key));
  return it->second;
}

void keyed_state_step::process(message& m, emitter& out) {
  if (guard_.meets_new_partition(m.lineage()))
    adopt();
  auto key = f_.key(m);
  if (guard_.seen(m.lineage(), key_hash(key))) {
    held_.add(m.lineage()); // its state and output came before: done once they are durable
    return;
  }
  auto& e = lookup(key);
  cell c(e);
  auto result = f_.apply(m, c); // may throw: the state is then unchanged
  if (c.changed()) {
    e.bytes = std::move(c.next());
    if (!e.dirty) {
      e.dirty = true;
      dirty_.push_back(key);
    }
  }
  guard_.fold(m.lineage());
  held_.add(m.lineage());
  emit(std::move(key), m.timestamp(), std::move(result), out);
}

void keyed_state_step::emit(std::string key, std::int64_t timestamp, value v, emitter& out,
                            std::string restored) {
  std::uint64_t id = 0;
  if (!restored.empty()) {
    id = outputs_.add(std::move(restored), {}, true);
  } else if (store_) {
    std::string saved;
    codec::encode(saved, timestamp);
    f_.save_output(v, saved);
    auto n = static_cast<std::int64_t>(outputs_.next_id());
    id = outputs_.add_keyed(key, {static_cast<std::int64_t>(run_), n}, std::move(saved));
  } else {
    id = outputs_.add({}, {}, false);
  }
  message m(std::move(v));
  m.set_key(std::move(key));
  m.set_timestamp(timestamp);
  out.emit_tracked(0, std::move(m), id);
}

void keyed_state_step::delivered(std::uint64_t id) { outputs_.delivered(id); }

void keyed_state_step::checkpoint(emitter& out) {
  if (store_) {
    write_batch b;
    outputs_.save(b);
    for (auto& key : dirty_) {
      auto& e = cache_[key];
      if (e.bytes)
        b.put(state_record(key), *e.bytes);
      else
        b.erase(state_record(key));
      e.dirty = false;
    }
    guard_.save(b);
    store_->write(b);
    cache_.clear(); // all of it is in the store now: memory stays bounded however many keys
  }
  dirty_.clear();
  if (!held_.empty())
    out.release(std::move(held_));
  held_ = origin_ranges();
}

void keyed_state_step::open(const operator_context& ctx) {
  ctx_ = ctx;
  store_ = ctx.store;
  outputs_ = pending_outputs(state_keys::prefix(ctx.step, 'o'));
  guard_ = replay_guard(ctx.step, ctx.instance, ctx.instances);
  run_ = static_cast<std::uint64_t>(now_ms()) * 1024 + ctx.instance;
  if (!store_)
    return;
  guard_.load(*store_);
  restored_ = state_keys::owned_records(*store_, state_keys::prefix(ctx.step, 'o'), ctx);
}

void keyed_state_step::adopt() {
  if (!store_ || !guard_.catch_up(*store_))
    return;
  for (auto it = cache_.begin(); it != cache_.end();) // the unchanged are read again
    it = it->second.dirty ? std::next(it) : cache_.erase(it);
  state_keys::add_unsent(*store_, state_keys::prefix(ctx_.step, 'o'), ctx_, outputs_, restored_);
}

void keyed_state_step::revoked(std::uint32_t source, const std::vector<std::int32_t>& partitions,
                               bool settled) {
  guard_.forget(source, partitions, settled); // met again, their states are read again
}

void keyed_state_step::assigned(std::uint32_t source, const std::vector<std::int32_t>& partitions) {
  bool news = false;
  for (auto p : partitions)
    news = guard_.meets_new_partition({source, p}) || news;
  if (news)
    adopt();
}

void keyed_state_step::emit_restored(emitter& out) {
  auto op = state_keys::prefix(ctx_.step, 'o');
  for (auto& [record, saved] : restored_) {
    std::string_view k(record);
    k.remove_prefix(op.size());
    auto key = state_keys::get_string(k);
    std::string_view in(saved);
    std::int64_t timestamp = 0;
    codec::decode(in, timestamp);
    emit(std::move(key), timestamp, f_.load_output(in), out, std::move(record));
  }
  restored_.clear();
}

std::optional<clock::time_point> keyed_state_step::next_deadline() const {
  if (restored_.empty())
    return std::nullopt;
  return clock::now();
}

void keyed_state_step::on_tick(clock::time_point, emitter& out) { emit_restored(out); }

void keyed_state_step::on_close(emitter& out, close_reason) { emit_restored(out); }

} // namespace streams
