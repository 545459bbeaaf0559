#include "streams/steps/reduce_step.hpp"

#include "../windows/state_keys.hpp"

#include "streams/error.hpp"
#include "streams/key_hash.hpp"
#include "streams/state/state_store.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <limits>

namespace streams {

namespace {

constexpr auto none = watermark_tracker::none;
constexpr auto forever = std::numeric_limits<std::int64_t>::max();

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  auto q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

template <class Panes>
void sort_by_start(Panes& panes) {
  std::sort(panes.begin(), panes.end(),
            [](const auto& a, const auto& b) { return a.start < b.start; });
}

} // namespace

std::int64_t reduce_step::coarse_now_ms() {
  timespec t{};
  clock_gettime(CLOCK_REALTIME_COARSE, &t);
  return static_cast<std::int64_t>(t.tv_sec) * 1000 + t.tv_nsec / 1'000'000;
}

reduce_step::reduce_step(window_spec w, reduce_functions f, wall_clock now)
    : w_(w), f_(std::move(f)), now_(std::move(now)),
      wm_(w.max_out_of_orderness_ms, w.idle_timeout_ms), next_end_(none), origin_(none) {
  if (w_.kind == window_kind::sliding && w_.size_ms > w_.slide_ms) {
    accumulator_slot probe;
    f_.make(probe);
    running_ = probe->invertible();
  }
}

reduce_step::reduce_step(reduce_step&&) noexcept = default;
reduce_step::~reduce_step() = default;

std::size_t reduce_step::keys() const {
  return static_cast<std::size_t>(
      std::count_if(keys_.begin(), keys_.end(), [](auto& k) { return !k.second.panes.empty(); }));
}

std::size_t reduce_step::panes() const {
  std::size_t n = 0;
  for (auto& [k, ks] : keys_)
    n += ks.panes.size();
  return n;
}

std::int64_t reduce_step::time_now() const {
  if (closing_)
    return forever;
  return w_.time == time_domain::event ? wm_.current() : now_();
}

std::int64_t reduce_step::pane_start(std::int64_t ts) const {
  // Processing-time sliding windows start at the first message (Sentry Streams' windows);
  // everything else is aligned to the epoch, the same in every instance and run.
  std::int64_t offset = 0;
  if (w_.kind == window_kind::sliding && w_.time == time_domain::processing && origin_ != none)
    offset = origin_ - floor_div(origin_, w_.slide_ms) * w_.slide_ms;
  return offset + floor_div(ts - offset, w_.slide_ms) * w_.slide_ms;
}

std::string reduce_step::panes_record(const std::string& key, std::uint32_t seq) const {
  std::string r;
  r.reserve(pane_prefix_.size() + 4 + key.size() + 4);
  r = pane_prefix_;
  state_keys::put_string(r, key);
  state_keys::put_u32(r, seq);
  return r;
}

void reduce_step::process(message& m, emitter& out) {
  if (guard_.meets_new_partition(m.lineage())) {
    std::vector<partition_id> met;
    for (auto& o : m.lineage().origins())
      met.emplace_back(o.source, o.partition);
    adopt(met);
  }
  auto key = f_.key ? f_.key(m) : std::string();
  if (guard_.seen(m.lineage(), key_hash(key))) {
    held_.add(m.lineage()); // folded before: done once that fold is durable
    return;
  }
  // The state of many keys is mostly out of cache: find the key's newest pane now, and let
  // its cache lines come in while the watermark is worked out. Firing windows adds no key,
  // so the entry found stays where it is.
  auto* found = keys_.find(key);
  if (found && !found->second.panes.empty()) {
    auto* newest = reinterpret_cast<const char*>(&found->second.panes.back());
    __builtin_prefetch(newest);
    __builtin_prefetch(newest + 64);
  }
  auto now = now_();
  if (w_.time == time_domain::event) {
    auto origins = m.lineage().origins();
    if (origins.empty())
      wm_.observe(0, 0, m.timestamp(), now);
    for (auto& o : origins)
      wm_.observe(o.source, o.partition, m.timestamp(), now);
    wm_.advance(now);
  } else if (origin_ == none) {
    origin_ = now;
  }
  advance(out); // windows this message's time closes are complete without it
  auto ts = w_.time == time_domain::event ? m.timestamp() : now;
  switch (w_.kind) {
    case window_kind::tumbling:
    case window_kind::sliding: add_timed(key, found, m, ts, out); break;
    case window_kind::count: add_count(key, found, m, out); break;
    case window_kind::session: add_session(key, found, m, ts, out); break;
  }
}

void reduce_step::mark_dirty(key_entry& e, pane& p) {
  p.dirty = true;
  e.second.rewrite_from = std::min(e.second.rewrite_from, p.start);
  list(e);
}

void reduce_step::list(key_entry& e) {
  if (!e.second.listed) {
    e.second.listed = true;
    dirty_keys_.push_back(keys_.index_of(e));
  }
}

void reduce_step::fold(key_entry& e, pane& p, message& m) {
  p.acc->add(m); // first: it may throw, and must then leave everything as it was
  if (p.count == 0)
    p.first_ts = m.timestamp();
  ++p.count;
  p.last_ts = m.timestamp();
  mark_dirty(e, p);
  auto& ks = e.second;
  if (ks.running && p.start >= ks.run_from && p.start < ks.run_to)
    ks.running.reset(); // late data in an emitted window: merged afresh at the next window
  if (auto origins = m.lineage().origins(); !origins.empty())
    ks.fed_by = {origins.front().source, origins.front().partition};
  guard_.fold(m.lineage());
  held_.add(m.lineage());
}

void reduce_step::reject_late(message& m, std::int64_t ts, emitter& out) {
  ++late_;
  guard_.fold(m.lineage());
  out.reject(std::move(m), "late: timestamp " + std::to_string(ts) + " is behind watermark "
                               + std::to_string(wm_.current()) + " by more than the allowed "
                               + std::to_string(w_.allowed_lateness_ms) + " ms");
}

void reduce_step::add_timed(const std::string& key, key_entry* found, message& m, std::int64_t ts,
                            emitter& out) {
  auto ps = pane_start(ts);
  auto T = time_now();
  if (w_.time == time_domain::event && T != none && ps + w_.size_ms + w_.allowed_lateness_ms <= T)
    return reject_late(m, ts, out);
  auto& e = entry_of(key, found);
  auto& ks = e.second;
  // The first pane starting at or after ps, searched from the newest: time mostly grows.
  auto it = ks.panes.end();
  while (it != ks.panes.begin() && std::prev(it)->start >= ps)
    --it;
  if (it == ks.panes.end() || it->start != ps) {
    pane p;
    p.start = ps;
    p.end = ps + w_.slide_ms;
    f_.make(p.acc);
    it = ks.panes.insert(it, std::move(p));
    ++pane_starts_[ps];
  }
  fold(e, *it, m);
  // Allowed lateness: windows holding this pane that have fired already are emitted again,
  // updated.
  auto fired = fired_to(key);
  if (fired != none)
    for (auto end = ps + w_.slide_ms; end <= ps + w_.size_ms && end < fired; end += w_.slide_ms)
      fire_key(key, ks, end, fired, out);
}

void reduce_step::add_count(const std::string& key, key_entry* found, message& m, emitter& out) {
  auto& e = entry_of(key, found);
  auto& ks = e.second;
  if (ks.panes.empty()) {
    pane p;
    f_.make(p.acc);
    ks.panes.push_back(std::move(p));
  }
  auto& p = ks.panes.front();
  fold(e, p, m);
  if (p.count >= w_.count) {
    emit(key, p.first_ts, p.last_ts + 1, *p.acc, out);
    forget_pane(e, p);
    ks.panes.clear(); // the key goes at the next checkpoint
  }
}

void reduce_step::add_session(const std::string& key, key_entry* found, message& m, std::int64_t ts,
                              emitter& out) {
  auto T = time_now();
  if (w_.time == time_domain::event && T != none && ts + w_.gap_ms + w_.allowed_lateness_ms <= T)
    return reject_late(m, ts, out);
  auto& e = entry_of(key, found);
  auto& ks = e.second;
  pane s;
  s.start = ts;
  s.end = ts + w_.gap_ms;
  f_.make(s.acc);
  fold(e, s, m);
  // Merge every session this message bridges, in time order.
  std::vector<pane> kept;
  std::vector<pane> merged;
  for (auto& p : ks.panes) {
    if (p.start < s.end && s.start < p.end)
      merged.push_back(std::move(p));
    else
      kept.push_back(std::move(p));
  }
  if (!merged.empty()) {
    merged.push_back(std::move(s));
    sort_by_start(merged);
    pane u;
    u.start = merged.front().start;
    u.end = merged.front().end;
    f_.make(u.acc);
    u.first_ts = merged.front().first_ts;
    for (auto& p : merged) {
      u.acc->merge(*p.acc);
      u.count += p.count;
      u.end = std::max(u.end, p.end);
      u.last_ts = std::max(u.last_ts, p.last_ts);
      forget_pane(e, p);
    }
    s = std::move(u); // a session that had fired is emitted again, updated, when it closes
  }
  // The key was listed by `fold`; `rewrite_from` is at most `s.start`, as each merged pane was
  // dirty since the last checkpoint or in a record that now dies.
  s.dirty = true;
  session_ends_.insert({s.end, key});
  kept.push_back(std::move(s));
  sort_by_start(kept);
  ks.panes = trimmed_vector<pane>(std::move(kept));
}

void reduce_step::forget_pane(key_entry& e, const pane& p) {
  forget_record(e, p);
  drop_timers(e.first, p);
}

void reduce_step::forget_record(key_entry& e, const pane& p) {
  if (p.record != 0) {
    auto& r = record_of(e.second, p.record);
    // A time window's pane that goes may stay in its record: a restore reads it again and
    // drops it again, its windows all fired. Rewriting the record's other panes instead would
    // write every live pane of a sliding window at every checkpoint. A session or count
    // window that goes must not come back, and the last pane takes its record with it.
    if (--r.live == 0 || !w_.timed()) {
      mark_dying(e.second, r);
      list(e);
    }
  }
}

void reduce_step::drop_timers(const std::string& key, const pane& p) {
  if (w_.kind == window_kind::session) {
    session_ends_.erase({p.end, key});
    session_ends_.erase({p.end + w_.allowed_lateness_ms, key});
  } else if (w_.timed()) {
    auto it = pane_starts_.find(p.start);
    if (it != pane_starts_.end() && --it->second == 0)
      pane_starts_.erase(it);
  }
}

void reduce_step::fire_key(const std::string& key, key_state& ks, std::int64_t end,
                           std::int64_t fired, emitter& out) {
  if (w_.kind == window_kind::sliding && w_.time == time_domain::processing
      && end - w_.size_ms < origin_)
    return; // Sentry Streams' first sliding window begins at the first message
  auto start = end - w_.size_ms;
  bool first = fired == none || end >= fired; // else fired again for late data, or adopted
  if (running_ && run_to(ks, start, end)) {
    if (ks.run_count > 0) // empty windows are never emitted
      emit(key, start, end, *ks.running, out, first);
    return;
  }
  const any_accumulator* only = nullptr;
  accumulator_slot merged;
  for (auto& p : ks.panes) {
    if (p.start < start || p.count == 0)
      continue;
    if (p.start >= end)
      break;
    if (!only) {
      only = p.acc.get();
    } else {
      if (!merged) {
        f_.make(merged);
        merged->merge(*only);
      }
      merged->merge(*p.acc);
    }
  }
  if (only) // empty windows are never emitted
    emit(key, start, end, merged ? *merged : *only, out, first);
}

std::int64_t reduce_step::fired_to(const std::string& key) const {
  if (!ahead_.empty())
    if (auto it = ahead_.find(key); it != ahead_.end())
      return std::max(next_end_, it->second);
  return next_end_;
}

void reduce_step::fire_missed(emitter& out) {
  for (auto& [key, fired] : missed_) {
    auto* e = keys_.find(key);
    if (!e || e->second.panes.empty())
      continue;
    auto& ps = e->second.panes;
    // This instance's window ends (its grid: processing-time sliding windows start at its
    // first message) at or after `fired`, from the first pane's first window to its last.
    auto from = std::max(fired, ps.front().start + w_.slide_ms);
    auto to = std::min(next_end_, ps.back().start + w_.size_ms + w_.slide_ms);
    auto key_fired = fired_to(key);
    for (auto end = next_end_ - floor_div(next_end_ - from, w_.slide_ms) * w_.slide_ms; end < to;
         end += w_.slide_ms)
      fire_key(key, e->second, end, key_fired, out);
  }
  missed_.clear();
}

bool reduce_step::run_to(key_state& ks, std::int64_t start, std::int64_t end) {
  if (ks.running && end < ks.run_to)
    return false;
  if (!ks.running || start < ks.run_from) {
    f_.make(ks.running);
    ks.run_from = ks.run_to = start;
    ks.run_count = 0;
  }
  auto& ps = ks.panes;
  // Leaving: mostly none, as panes are taken out when they go (fire_time_window).
  auto leave_before = std::min(start, ks.run_to);
  for (auto it = ps.begin(); it != ps.end() && it->start < leave_before; ++it)
    if (it->start >= ks.run_from) {
      ks.running->subtract(*it->acc);
      ks.run_count -= it->count;
    }
  // Entering: the newest panes, searched from the back.
  auto enter_from = std::max(start, ks.run_to);
  auto it = ps.end();
  while (it != ps.begin() && std::prev(it)->start >= enter_from)
    --it;
  for (; it != ps.end() && it->start < end; ++it) {
    ks.running->merge(*it->acc);
    ks.run_count += it->count;
  }
  ks.run_from = start;
  ks.run_to = end;
  return true;
}

void reduce_step::fire_time_window(std::int64_t end, emitter* out) {
  auto T = time_now();
  auto gone = [&](std::int64_t start) {
    return start + w_.size_ms <= end && start + w_.size_ms + w_.allowed_lateness_ms <= T;
  };
  // Every key's entry and its oldest and newest panes are visited, mostly out of cache: ask
  // for the entry of a key further ahead, and for the panes of one a few keys ahead (whose
  // entry is in by then), while this one is worked on.
  constexpr std::ptrdiff_t ahead = 4;
  for (auto it = keys_.begin(); it != keys_.end(); ++it) {
    if (keys_.end() - it > 2 * ahead) {
      auto* far = reinterpret_cast<const char*>(&*std::next(it, 2 * ahead));
      for (std::size_t line = 0; line < sizeof(key_entry); line += 64)
        __builtin_prefetch(far + line);
    }
    if (keys_.end() - it > ahead) {
      auto& next = std::next(it, ahead)->second;
      if (!next.panes.empty()) {
        __builtin_prefetch(&next.panes.front());
        __builtin_prefetch(&next.panes.back());
      }
      if (!next.records.empty()) // the oldest pane's, mostly: the first
        __builtin_prefetch(next.records.data());
    }
    auto& e = *it;
    auto& ks = e.second;
    if (out)
      if (auto fired = fired_to(e.first); end >= fired) // else its state's writer emitted it
        fire_key(e.first, ks, end, fired, *out);
    // A pane whose last window has fired goes once no late message can reach it: those that
    // go are the oldest, as panes are in time order (a 60 s window sliding by 1 s holds 60).
    auto& ps = ks.panes;
    auto kept = ps.begin();
    for (; kept != ps.end() && gone(kept->start); ++kept) {
      if (ks.running && kept->start >= ks.run_from && kept->start < ks.run_to) {
        ks.running->subtract(*kept->acc);
        ks.run_count -= kept->count;
      }
      forget_record(e, *kept);
    }
    ps.trim_front(kept); // an emptied key stays until the checkpoint: it comes back soon
  }
  // Every key's panes of those starts went: their timers go at once, not pane by pane.
  while (!pane_starts_.empty() && gone(pane_starts_.begin()->first))
    pane_starts_.erase(pane_starts_.begin());
}

void reduce_step::fire_sessions(emitter& out) {
  auto T = time_now();
  while (!session_ends_.empty() && session_ends_.begin()->first <= T) {
    auto [due, key] = *session_ends_.begin();
    session_ends_.erase(session_ends_.begin());
    auto* e = keys_.find(key);
    if (!e)
      continue;
    auto& ps = e->second.panes;
    auto it = std::find_if(ps.begin(), ps.end(), [&](const pane& p) {
      return p.fired ? p.end + w_.allowed_lateness_ms == due : p.end == due;
    });
    if (it == ps.end())
      continue;
    if (!it->fired) {
      emit(key, it->first_ts, it->end, *it->acc, out);
      it->fired = true;
      mark_dirty(*e, *it);
      if (w_.allowed_lateness_ms > 0 && T != forever) {
        session_ends_.insert({it->end + w_.allowed_lateness_ms, key});
        continue;
      }
    }
    forget_pane(*e, *it);
    ps.erase(it); // an emptied key goes at the next checkpoint
  }
}

void reduce_step::advance(emitter& out) {
  auto T = time_now();
  if (T == none)
    return;
  if (w_.kind == window_kind::session)
    return fire_sessions(out);
  if (!w_.timed())
    return;
  fire_missed(out);
  while (!pane_starts_.empty()) {
    auto first_end = pane_starts_.begin()->first + w_.slide_ms;
    auto end = next_end_ == none ? first_end : std::max(next_end_, first_end);
    if (end > T)
      break;
    fire_time_window(end, &out);
    next_end_ = end + w_.slide_ms;
    if (closing_)
      break; // the end of the input: one window end per close_more
  }
  // With allowed lateness, panes outlive their last window: drop them once it has passed.
  if (w_.allowed_lateness_ms > 0 && !pane_starts_.empty() && next_end_ != none
      && pane_starts_.begin()->first + w_.size_ms + w_.allowed_lateness_ms <= T)
    fire_time_window(next_end_ - w_.slide_ms, nullptr);
}

void reduce_step::emit(const std::string& key, std::int64_t start, std::int64_t end,
                       const any_accumulator& acc, emitter& out, bool first, std::string restored) {
  message m(f_.result(key, start, end, acc));
  m.set_key(key);
  m.set_timestamp(end - 1);
  std::uint64_t id = 0;
  if (!restored.empty()) {
    id = emitted_.add(std::move(restored), {}, true);
  } else if (store_) {
    std::string saved;
    acc.save(saved);
    // Two count windows of a key may have the same bounds (inputs of one millisecond): each
    // is a window of its own, not an update, and needs a record of its own.
    id = w_.kind == window_kind::count
             ? emitted_.add_keyed(key, {start, end, static_cast<std::int64_t>(emissions_++)},
                                  std::move(saved), first)
             : emitted_.add_keyed(key, {start, end}, std::move(saved), first);
  } else {
    id = emitted_.add({}, {}, false, first);
  }
  out.emit_tracked(0, std::move(m), id);
}

void reduce_step::delivered(std::uint64_t id) { emitted_.delivered(id); }

void reduce_step::checkpoint(emitter& out) {
  if (store_) {
    write_batch b;
    emitted_.save(b);
    for (auto i : dirty_keys_)
      save_key(keys_.at(i), b);
    ++next_record_;
    // The window end up to which the keys of the partitions it consumes have had their
    // windows emitted: an instance that restores or adopts them takes it over.
    auto emitted_to = next_end_;
    for (auto& [key, from] : missed_)
      emitted_to = std::min(emitted_to, from);
    guard_.save(b, emitted_to);
    b.put(timers_record(ctx_.instances, ctx_.instance), save_timers());
    store_->write(b);
  }
  for (auto i : dirty_keys_)
    keys_.at(i).second.listed = false;
  dirty_keys_.clear();
  keys_.erase_if([](const key_entry& e) { return e.second.panes.empty(); });
  for (auto it = ahead_.begin(); it != ahead_.end();)
    it = it->second <= next_end_ || !keys_.find(it->first) ? ahead_.erase(it) : std::next(it);
  if (!held_.empty())
    out.release(std::move(held_));
  held_ = origin_ranges();
}

reduce_step::panes_stored& reduce_step::record_of(key_state& ks, std::uint32_t seq) {
  // In `seq` order: read in key order, appended by later checkpoints. A sliding window's key
  // holds a record per checkpoint that met it, up to one per pane.
  return *std::lower_bound(ks.records.begin(), ks.records.end(), seq,
                           [](const panes_stored& r, std::uint32_t s) { return r.seq < s; });
}

void reduce_step::save_key(key_entry& e, write_batch& b) {
  auto& [key, ks] = e;
  // A record holding a pane that changed (or went, but for time windows: forget_pane) is
  // replaced: the panes it still holds are written again, with the changed ones, into this
  // checkpoint's record of the key. So a checkpoint writes one record per key it changed.
  // Only panes from `rewrite_from` on can be dirty or in a dying record: most keys have
  // changed their newest pane only, where this visited all 60 panes of a 60 s window sliding
  // by 1 s, twice, looking up the record of each.
  auto from = [&] {
    return std::lower_bound(ks.panes.begin(), ks.panes.end(), ks.rewrite_from,
                            [](const pane& p, std::int64_t t) { return p.start < t; });
  };
  for (auto it = from(); it != ks.panes.end(); ++it)
    if (it->dirty && it->record != 0)
      mark_dying(ks, record_of(ks, it->record));
  std::string v;
  codec::encode(v, ks.fed_by.first); // so that the partition's next owner takes the key
  codec::encode(v, ks.fed_by.second);
  codec::encode(v, fired_to(key)); // so that an adopting instance knows what was emitted
  std::uint32_t written = 0;
  std::int64_t first_start = 0;
  for (auto it = from(); it != ks.panes.end(); ++it) { // from again: dying records moved it
    auto& p = *it;
    if (!p.dirty && (p.record == 0 || !record_of(ks, p.record).dying))
      continue;
    if (written == 0)
      first_start = p.start;
    codec::encode(v, p.start);
    codec::encode(v, p.end);
    codec::encode(v, p.count);
    codec::encode(v, p.first_ts);
    codec::encode(v, p.last_ts);
    codec::encode(v, static_cast<std::uint8_t>(p.fired));
    auto length_at = v.size();
    codec::encode(v, std::uint32_t{0});
    p.acc->save(v);
    auto length = static_cast<std::uint32_t>(v.size() - length_at - sizeof(std::uint32_t));
    std::memcpy(&v[length_at], &length, sizeof length);
    p.dirty = false;
    p.record = next_record_;
    ++written;
  }
  auto dying = std::remove_if(ks.records.begin(), ks.records.end(), [&](const panes_stored& r) {
    if (r.dying)
      b.erase(panes_record(key, r.seq));
    return r.dying;
  });
  ks.records.erase(dying, ks.records.end());
  if (written > 0) {
    b.put(panes_record(key, next_record_), std::move(v));
    ks.records.push_back({next_record_, written, false, first_start});
  }
  ks.rewrite_from = forever;
}

void reduce_step::mark_dying(key_state& ks, panes_stored& r) {
  r.dying = true;
  ks.rewrite_from = std::min(ks.rewrite_from, r.first_start);
}

std::string reduce_step::timers_record(std::size_t instances, std::size_t instance) const {
  auto r = state_keys::prefix(ctx_.step, 't');
  state_keys::put_u32(r, static_cast<std::uint32_t>(instances));
  state_keys::put_u32(r, static_cast<std::uint32_t>(instance));
  return r;
}

std::string reduce_step::save_timers() const {
  std::string v;
  codec::encode(v, wm_.current());
  codec::encode(v, next_end_);
  codec::encode(v, origin_);
  codec::encode(v, emissions_);
  return v;
}

void reduce_step::open(const operator_context& ctx) {
  ctx_ = ctx;
  store_ = ctx.store;
  pane_prefix_ = state_keys::prefix(ctx.step, 'p');
  emitted_ = pending_outputs(state_keys::prefix(ctx.step, 'f'));
  guard_ = replay_guard(ctx.step, ctx.instance, ctx.instances);
  if (!store_)
    return;
  guard_.load(*store_);
  // Timers: this instance's own from its last run; after a change of parallelism the
  // earliest of every instance's, so that no window is skipped. Count windows are numbered on
  // from the highest number any instance gave, so that no record is given twice.
  auto own = timers_record(ctx.instances, ctx.instance);
  bool found_own = false;
  std::int64_t wm = forever, next_end = forever, origin = forever;
  auto tp = state_keys::prefix(ctx.step, 't');
  store_->scan(tp, [&](std::string_view k, std::string_view v) {
    std::int64_t a = 0, b = 0, c = 0;
    std::uint64_t emissions = 0;
    codec::decode(v, a);
    codec::decode(v, b);
    codec::decode(v, c);
    codec::decode(v, emissions);
    emissions_ = std::max(emissions_, emissions);
    if (k == own) {
      found_own = true;
      wm = a, next_end = b, origin = c;
    } else if (!found_own) {
      wm = std::min(wm, a), next_end = std::min(next_end, b), origin = std::min(origin, c);
    }
  });
  if (wm != forever) {
    wm_.restore(wm);
    next_end_ = next_end;
    origin_ = origin;
  }
  for (auto& [key, records] : stored_keys()) {
    auto k = read_key(key, records);
    if (k.state.fed_by == no_partition) {
      k.emitted_to = std::max(k.emitted_to, next_end_); // its writer's, if not another's
      restore_key(key, std::move(k));
    } else {
      parked_.emplace(key, std::move(k));
    }
  }
  restored_ = state_keys::owned_records(*store_, state_keys::prefix(ctx.step, 'f'), ctx);
}

std::map<std::string, reduce_step::stored_records> reduce_step::stored_keys() const {
  std::map<std::string, stored_records> stored;
  auto pp = state_keys::prefix(ctx_.step, 'p');
  store_->scan(pp, [&](std::string_view k, std::string_view v) {
    k.remove_prefix(pp.size());
    auto key = state_keys::get_string(k);
    if (ctx_.owns(key))
      stored[key].emplace_back(state_keys::get_u32(k), std::string(v));
  });
  return stored;
}

reduce_step::parked_key reduce_step::read_key(const std::string& key,
                                              const stored_records& records) {
  parked_key k;
  auto& ks = k.state;
  // Count and session windows keep no window end: theirs is `none`, as is `next_end_`.
  k.emitted_to = none;
  for (auto& [seq, value] : records) { // in write order: the last names the key's partition
    std::string_view v(value);
    next_record_ = std::max(next_record_, seq + 1);
    ks.records.push_back({seq, 0, false, forever});
    std::int64_t emitted_to = none;
    codec::decode(v, ks.fed_by.first);
    codec::decode(v, ks.fed_by.second);
    codec::decode(v, emitted_to);
    k.emitted_to = std::max(k.emitted_to, emitted_to);
    while (!v.empty()) {
      pane p;
      std::uint8_t fired = 0;
      std::string acc;
      codec::decode(v, p.start);
      codec::decode(v, p.end);
      codec::decode(v, p.count);
      codec::decode(v, p.first_ts);
      codec::decode(v, p.last_ts);
      codec::decode(v, fired);
      codec::decode(v, acc);
      p.fired = fired != 0;
      f_.make(p.acc);
      p.acc->load(acc);
      p.record = seq;
      auto& r = ks.records.back();
      r.first_start = std::min(r.first_start, p.start);
      ++r.live;
      ks.panes.push_back(std::move(p));
    }
  }
  sort_by_start(ks.panes);
  // A key's record holds its writer's window end as of the checkpoint that last wrote the
  // key; the end its partition's marks hold is that of the writer's last checkpoint.
  if (ks.fed_by != no_partition)
    k.emitted_to = std::max(k.emitted_to, guard_.emitted_to(ks.fed_by, key_hash(key)));
  return k;
}

void reduce_step::restore_key(const std::string& key, parked_key&& k) {
  auto& e = keys_.find_or_add(key); // absent, or emptied and waiting for the checkpoint
  auto listed = e.second.listed;
  e.second = std::move(k.state);
  e.second.listed = listed;
  for (auto& p : e.second.panes)
    if (w_.kind == window_kind::session)
      session_ends_.insert({p.fired ? p.end + w_.allowed_lateness_ms : p.end, key});
    else if (w_.timed())
      ++pane_starts_[p.start];
  if (k.emitted_to > next_end_) {
    auto& ahead = ahead_.try_emplace(key, k.emitted_to).first->second;
    ahead = std::max(ahead, k.emitted_to);
  } else if (k.emitted_to < next_end_) {
    missed_[key] = k.emitted_to;
  }
}

reduce_step::key_entry& reduce_step::entry_of(const std::string& key, key_entry* found) {
  if (!parked_.empty())
    if (auto it = parked_.find(key); it != parked_.end()) {
      restore_key(key, std::move(it->second)); // a message of another partition feeds it now
      parked_.erase(it);
      return *keys_.find(key);
    }
  return found ? *found : keys_.find_or_add(key);
}

void reduce_step::park(const std::set<partition_id>& partitions) {
  for (auto& e : keys_) {
    auto& [key, ks] = e;
    if (ks.listed || ks.panes.empty() || !partitions.count(ks.fed_by))
      continue;
    parked_key k;
    auto missed = missed_.find(key);
    k.emitted_to = missed != missed_.end() ? missed->second : fired_to(key);
    for (auto& p : ks.panes)
      drop_timers(key, p);
    ks.running.reset();
    k.state.panes = std::move(ks.panes);
    k.state.records = std::move(ks.records);
    k.state.fed_by = ks.fed_by;
    ks.panes.clear();
    ks.records.clear();
    ahead_.erase(key);
    missed_.erase(key);
    parked_.insert_or_assign(key, std::move(k)); // an emptied key goes at the next checkpoint
  }
}

void reduce_step::revoked(std::uint32_t source, const std::vector<std::int32_t>& partitions,
                          bool settled) {
  std::set<partition_id> gone;
  for (auto p : partitions) {
    gone.emplace(source, p);
    wm_.forget(source, p);
  }
  park(gone);
  guard_.forget(source, partitions, settled);
}

void reduce_step::assigned(std::uint32_t source, const std::vector<std::int32_t>& partitions) {
  std::vector<partition_id> met;
  for (auto p : partitions)
    if (guard_.meets_new_partition({source, p}))
      met.emplace_back(source, p);
  if (!met.empty())
    adopt(met);
}

void reduce_step::adopt(const std::vector<partition_id>& met) {
  if (!parked_.empty())
    for (auto it = parked_.begin(); it != parked_.end();) {
      if (std::find(met.begin(), met.end(), it->second.state.fed_by) == met.end()) {
        ++it;
        continue;
      }
      restore_key(it->first, std::move(it->second));
      it = parked_.erase(it);
    }
  if (!store_ || !guard_.catch_up(*store_))
    return;
  auto stored = stored_keys();
  // Whether `records` are those the store holds of `key`: both are in `seq` order.
  auto as_stored = [&](const std::string& key, const std::vector<panes_stored>& records) {
    auto it = stored.find(key);
    if (it == stored.end())
      return records.empty();
    return std::equal(records.begin(), records.end(), it->second.begin(), it->second.end(),
                      [](const panes_stored& r, const auto& s) { return r.seq == s.first; });
  };
  // A key changed here since the last checkpoint is this process's: its state is the newest.
  // Any other whose records are not those this instance read or wrote was written elsewhere.
  for (auto& [key, ks] : keys_) {
    if (ks.listed || as_stored(key, ks.records)) {
      stored.erase(key);
      continue;
    }
    for (auto& p : ks.panes)
      drop_timers(key, p);
    ks.panes.clear(); // an emptied key goes at the next checkpoint
    ks.records.clear();
    ks.running.reset();
    ahead_.erase(key);
    missed_.erase(key);
  }
  for (auto it = parked_.begin(); it != parked_.end();) {
    bool same = as_stored(it->first, it->second.state.records);
    if (same)
      stored.erase(it->first);
    it = same ? std::next(it) : parked_.erase(it);
  }
  for (auto& [key, records] : stored) {
    auto k = read_key(key, records); // what its writer had not emitted and this instance
                                     // has passed comes out
    if (k.state.fed_by == no_partition || guard_.met(k.state.fed_by))
      restore_key(key, std::move(k));
    else
      parked_.insert_or_assign(key, std::move(k));
  }
  state_keys::add_unsent(*store_, state_keys::prefix(ctx_.step, 'f'), ctx_, emitted_, restored_);
}

void reduce_step::emit_restored(emitter& out) {
  auto fp = state_keys::prefix(ctx_.step, 'f');
  for (auto& [record, saved] : restored_) {
    std::string_view k(record);
    k.remove_prefix(fp.size());
    auto key = state_keys::get_string(k);
    auto start = state_keys::get_i64(k);
    auto end = state_keys::get_i64(k);
    accumulator_slot acc;
    f_.make(acc);
    acc->load(saved);
    emit(key, start, end, *acc, out, false, std::move(record));
  }
  restored_.clear();
}

std::optional<clock::time_point> reduce_step::next_deadline() const {
  if (!restored_.empty())
    return clock::now();
  std::optional<std::int64_t> at; // wall-clock milliseconds
  auto now = now_();
  if (w_.time == time_domain::event) {
    if (w_.timed() ? !pane_starts_.empty() : !session_ends_.empty())
      at = wm_.next_idle_at(now);
  } else if (w_.kind == window_kind::session) {
    if (!session_ends_.empty())
      at = session_ends_.begin()->first;
  } else if (w_.timed() && !pane_starts_.empty()) {
    auto first_end = pane_starts_.begin()->first + w_.slide_ms;
    at = next_end_ == none ? first_end : std::max(next_end_, first_end);
  }
  if (!at)
    return std::nullopt;
  return clock::now() + std::chrono::milliseconds(std::max<std::int64_t>(0, *at - now));
}

void reduce_step::on_tick(clock::time_point, emitter& out) {
  emit_restored(out);
  if (w_.time == time_domain::event)
    wm_.advance(now_());
  advance(out);
}

void reduce_step::on_close(emitter& out, close_reason why) {
  emit_restored(out);
  if (why != close_reason::exhausted)
    return; // open windows stay in the state store for the next run
  // The input is over for good: every window is complete, also of keys of partitions that
  // have not come since the restart.
  for (auto& [key, k] : parked_)
    restore_key(key, std::move(k));
  parked_.clear();
  closing_ = true;
  if (w_.kind == window_kind::count) {
    for (auto& e : keys_) {
      for (auto& p : e.second.panes) {
        if (p.count > 0)
          emit(e.first, p.first_ts, p.last_ts + 1, *p.acc, out);
        forget_pane(e, p);
      }
      e.second.panes.clear(); // their records go at the checkpoint that follows
    }
  } else {
    advance(out);
  }
}

bool reduce_step::close_pending() const { return closing_ && w_.timed() && !pane_starts_.empty(); }

void reduce_step::close_more(emitter& out) { advance(out); }

} // namespace streams
