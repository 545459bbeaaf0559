#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <typeinfo>
#include <utility>

namespace streams {

/// A copyable value of any type: the payload of a message.
///
/// Like `std::any`, but values of up to 32 bytes that move without throwing (`std::string`,
/// vectors, `streams::json`) live inline, where libstdc++'s `std::any` allocates for
/// anything larger than a pointer: one allocation less per message and step.
class value {
public:
  value() = default;

  template <class T, class D = std::decay_t<T>, class = std::enable_if_t<!std::is_same_v<D, value>>>
  value(T&& x) { // NOLINT: implicit, like std::any
    emplace<D>(std::forward<T>(x));
  }

  value(const value& other) {
    if (other.ops_)
      other.ops_->copy(other, *this);
  }
  value(value&& other) noexcept {
    if (other.ops_)
      other.ops_->move(other, *this);
  }
  value& operator=(const value& other) {
    if (this != &other)
      *this = value(other);
    return *this;
  }
  value& operator=(value&& other) noexcept {
    if (this != &other) {
      reset();
      if (other.ops_)
        other.ops_->move(other, *this);
    }
    return *this;
  }
  ~value() { reset(); }

  bool has_value() const { return ops_ != nullptr; }
  const std::type_info& type() const { return ops_ ? ops_->type : typeid(void); }

  /// The value if it is a `T`, else null.
  template <class T>
  T* get_if() {
    return ops_ && ops_->type == typeid(T) ? static_cast<T*>(ptr()) : nullptr;
  }
  template <class T>
  const T* get_if() const {
    return ops_ && ops_->type == typeid(T) ? static_cast<const T*>(ptr()) : nullptr;
  }

  void reset() {
    if (ops_) {
      ops_->destroy(*this);
      ops_ = nullptr;
    }
  }

private:
  static constexpr std::size_t inline_size = 32;

  template <class T>
  static constexpr bool fits_inline = sizeof(T) <= inline_size
                                      && alignof(T) <= alignof(std::max_align_t)
                                      && std::is_nothrow_move_constructible_v<T>;

  struct operations {
    const std::type_info& type;
    bool heap;
    void (*copy)(const value& from, value& to);
    void (*move)(value& from, value& to) noexcept;
    void (*destroy)(value& v) noexcept;
  };

  template <class T>
  struct inline_ops {
    static T& get(value& v) { return *std::launder(reinterpret_cast<T*>(&v.storage_.buf)); }
    static const T& get(const value& v) {
      return *std::launder(reinterpret_cast<const T*>(&v.storage_.buf));
    }
    static void copy(const value& from, value& to) {
      ::new (&to.storage_.buf) T(get(from));
      to.ops_ = &table;
    }
    static void move(value& from, value& to) noexcept {
      ::new (&to.storage_.buf) T(std::move(get(from)));
      to.ops_ = &table;
      destroy(from);
      from.ops_ = nullptr;
    }
    static void destroy(value& v) noexcept { get(v).~T(); }
    static constexpr operations table{typeid(T), false, copy, move, destroy};
  };

  template <class T>
  struct heap_ops {
    static void copy(const value& from, value& to) {
      to.storage_.ptr = new T(*static_cast<const T*>(from.storage_.ptr));
      to.ops_ = &table;
    }
    static void move(value& from, value& to) noexcept {
      to.storage_.ptr = from.storage_.ptr;
      to.ops_ = &table;
      from.ops_ = nullptr;
    }
    static void destroy(value& v) noexcept { delete static_cast<T*>(v.storage_.ptr); }
    static constexpr operations table{typeid(T), true, copy, move, destroy};
  };

  template <class T, class... Args>
  void emplace(Args&&... args) {
    if constexpr (fits_inline<T>) {
      ::new (&storage_.buf) T(std::forward<Args>(args)...);
      ops_ = &inline_ops<T>::table;
    } else {
      storage_.ptr = new T(std::forward<Args>(args)...);
      ops_ = &heap_ops<T>::table;
    }
  }

  void* ptr() { return ops_->heap ? storage_.ptr : static_cast<void*>(&storage_.buf); }
  const void* ptr() const {
    return ops_->heap ? storage_.ptr : static_cast<const void*>(&storage_.buf);
  }

  union storage {
    void* ptr;
    alignas(std::max_align_t) unsigned char buf[inline_size];
  } storage_;
  const operations* ops_ = nullptr;
};

} // namespace streams
