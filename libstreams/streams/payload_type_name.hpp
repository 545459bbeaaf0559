#pragma once

#include "streams/graph.hpp"

#include <string>
#include <typeinfo>
#include <vector>

namespace streams {

class json;

namespace detail {
std::string demangle(const std::type_info& t);
} // namespace detail

/// The readable name of a payload type, for topology text and error messages.
template <class T>
struct type_name {
  static std::string get() { return detail::demangle(typeid(T)); }
};
template <>
struct type_name<std::string> {
  static std::string get() { return "bytes"; }
};
template <>
struct type_name<json> {
  static std::string get() { return "json"; }
};
template <class T>
struct type_name<std::vector<T>> {
  static std::string get() { return "list<" + type_name<T>::get() + ">"; }
};

template <class T>
payload_type payload_type_of() {
  return {typeid(T), type_name<T>::get()};
}

} // namespace streams
