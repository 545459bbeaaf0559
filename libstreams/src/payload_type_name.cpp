#include "streams/payload_type_name.hpp"

#include <cstdlib>
#include <cxxabi.h>
#include <memory>

namespace streams::detail {

std::string demangle(const std::type_info& t) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(
      abi::__cxa_demangle(t.name(), nullptr, nullptr, &status), std::free);
  return status == 0 && name ? name.get() : t.name();
}

} // namespace streams::detail
