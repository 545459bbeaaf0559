#include "streams/state/state_store.hpp"

namespace streams {

std::unique_ptr<state_store> open_state_store(const std::string& where) {
  if (where == memory_state)
    return make_memory_store();
  if (where.empty())
    throw state_error("state store: no directory given (or \"" + std::string(memory_state)
                      + "\" for memory)");
  return open_lmdb_store(where);
}

} // namespace streams
