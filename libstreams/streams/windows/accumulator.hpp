#pragma once

#include "streams/message.hpp"
#include "streams/payload_type_name.hpp"
#include "streams/state/codec.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace streams {

/// What a `reduce` step emits for each window and key: the accumulator's result with the
/// window's bounds, [start_ms, end_ms) in milliseconds since the epoch. For count windows the
/// bounds are the first message's timestamp and the last one's plus 1. `key` is empty when the
/// step groups by nothing.
template <class R>
struct windowed {
  std::string key;
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  R value;
};

// In namespace streams, so that the codec's containers find them (by argument-dependent lookup).
template <class R>
void encode(std::string& out, const windowed<R>& w) {
  codec::encode(out, w.key);
  codec::encode(out, w.start_ms);
  codec::encode(out, w.end_ms);
  codec::encode(out, w.value);
}
template <class R>
void decode(std::string_view& in, windowed<R>& w) {
  codec::decode(in, w.key);
  codec::decode(in, w.start_ms);
  codec::decode(in, w.end_ms);
  codec::decode(in, w.value);
}

namespace codec {
template <class R>
struct encodable<windowed<R>> : encodable<R> {};
} // namespace codec

template <class R>
struct type_name<windowed<R>> {
  static std::string get() { return "windowed<" + type_name<R>::get() + ">"; }
};

/// An accumulator as the window engine holds it, whatever the user's type. A user
/// accumulator `A` folding payloads of type `T` provides:
///
///     void add(const T& in);            // fold one input in
///     void merge(const A& other);       // fold another partial result in (panes, sessions)
///     R result() const;                 // what the window emits
///     void save(std::string& out) const;       // append its state (streams::codec helps)
///     static A load(std::string_view in);      // the inverse of save
///     void subtract(const A& other);    // optional: undo merge(other) (a count, a sum)
///
/// A default-constructed `A` is the empty accumulator. `add` must leave the accumulator
/// unchanged when it throws `invalid_message`. With `subtract`, a sliding window keeps a
/// running accumulator per key that panes enter and leave, instead of merging size/slide panes
/// for every window it emits.
class any_accumulator {
public:
  virtual ~any_accumulator() = default;
  virtual void add(const message& m) = 0;
  virtual void merge(const any_accumulator& other) = 0;
  /// Whether `subtract` undoes `merge` (the user's accumulator has `subtract`).
  virtual bool invertible() const = 0;
  /// Takes out what `merge(other)` put in; only when `invertible()`.
  virtual void subtract(const any_accumulator& other) = 0;
  virtual void save(std::string& out) const = 0;
  /// Replaces the contents with what `save` wrote.
  virtual void load(std::string_view in) = 0;
  /// Moves this accumulator into the storage at `where` (of an `accumulator_slot`).
  virtual any_accumulator* move_to(void* where) noexcept = 0;
};

/// Holds one accumulator: in place when it is small and moves without throwing (a count, a
/// sum, a vector), on the heap otherwise. A window engine holds one per key and pane, so an
/// allocation and a pointer to chase per pane would cost more than the accumulator's work.
class accumulator_slot {
public:
  static constexpr std::size_t inline_size = 32;

  accumulator_slot() = default;
  accumulator_slot(accumulator_slot&& other) noexcept { take(other); }
  accumulator_slot& operator=(accumulator_slot&& other) noexcept {
    if (this != &other) {
      reset();
      take(other);
    }
    return *this;
  }
  ~accumulator_slot() { reset(); }

  /// Replaces the contents with a default-constructed `X`.
  template <class X>
  X& emplace() {
    reset();
    X* x;
    if constexpr (sizeof(X) <= inline_size && alignof(X) <= alignof(void*)
                  && std::is_nothrow_move_constructible_v<X>)
      x = new (storage_) X();
    else
      x = new X();
    p_ = x;
    return *x;
  }
  void reset() {
    if (!p_)
      return;
    if (in_place())
      p_->~any_accumulator();
    else
      delete p_;
    p_ = nullptr;
  }

  explicit operator bool() const { return p_ != nullptr; }
  any_accumulator* get() const { return p_; }
  any_accumulator* operator->() const { return p_; }
  any_accumulator& operator*() const { return *p_; }

private:
  bool in_place() const { return static_cast<const void*>(p_) == storage_; }
  void take(accumulator_slot& other) noexcept {
    if (other.in_place()) {
      p_ = other.p_->move_to(storage_);
      other.reset();
    } else {
      p_ = other.p_;
      other.p_ = nullptr;
    }
  }

  alignas(void*) unsigned char storage_[inline_size];
  any_accumulator* p_ = nullptr;
};

/// Puts an empty accumulator into a slot.
using accumulator_factory = std::function<void(accumulator_slot&)>;

template <class A, class = void>
struct has_subtract : std::false_type {};
template <class A>
struct has_subtract<A, std::void_t<decltype(std::declval<A&>().subtract(std::declval<const A&>()))>>
    : std::true_type {};

template <class A, class T>
class typed_accumulator final : public any_accumulator {
public:
  void add(const message& m) override { acc.add(m.payload<T>()); }
  void merge(const any_accumulator& other) override {
    acc.merge(static_cast<const typed_accumulator&>(other).acc);
  }
  bool invertible() const override { return has_subtract<A>::value; }
  void subtract(const any_accumulator& other) override {
    if constexpr (has_subtract<A>::value)
      acc.subtract(static_cast<const typed_accumulator&>(other).acc);
  }
  void save(std::string& out) const override { acc.save(out); }
  void load(std::string_view in) override { acc = A::load(in); }
  any_accumulator* move_to(void* where) noexcept override {
    if constexpr (std::is_nothrow_move_constructible_v<typed_accumulator>)
      return new (where) typed_accumulator(std::move(*this));
    else
      return nullptr; // never called: such an accumulator lives on the heap
  }

  A acc;
};

/// Ready-made accumulators.
namespace accumulators {

/// How many messages the window holds.
template <class T>
class count {
public:
  void add(const T&) { ++n_; }
  void merge(const count& other) { n_ += other.n_; }
  void subtract(const count& other) { n_ -= other.n_; }
  std::uint64_t result() const { return n_; }
  void save(std::string& out) const { codec::encode(out, n_); }
  static count load(std::string_view in) {
    count c;
    codec::decode(in, c.n_);
    return c;
  }

private:
  std::uint64_t n_ = 0;
};

/// The window's payloads, in arrival order (merged panes in time order).
template <class T>
class collect {
public:
  void add(const T& x) { items_.push_back(x); }
  void merge(const collect& other) {
    items_.insert(items_.end(), other.items_.begin(), other.items_.end());
  }
  std::vector<T> result() const { return items_; }
  void save(std::string& out) const { codec::encode(out, items_); }
  static collect load(std::string_view in) {
    collect c;
    codec::decode(in, c.items_);
    return c;
  }

private:
  std::vector<T> items_;
};

} // namespace accumulators

} // namespace streams
