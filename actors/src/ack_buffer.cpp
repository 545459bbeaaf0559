#include "step_actors.hpp"

#include <caf/event_based_actor.hpp>

namespace streams::actors {

void ack_buffer::flush(caf::event_based_actor* self, const std::vector<caf::actor>& sources) {
  for (std::size_t i = 0; i < pending_.size() && i < sources.size(); ++i) {
    if (pending_[i].empty())
      continue;
    self->send(sources[i], ack_atom::value, pending_[i].take());
  }
}

} // namespace streams::actors
