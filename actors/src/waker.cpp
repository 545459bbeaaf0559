#include "step_actors.hpp"

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

namespace streams::actors {

waker waker_for(caf::event_based_actor* self) {
  // Weak: the source or sink that keeps this waker lives as long as the actor itself.
  auto weak = caf::actor_cast<caf::weak_actor_ptr>(self);
  return [weak] {
    if (auto strong = weak.lock())
      caf::anon_send(caf::actor_cast<caf::actor>(strong), wake_atom::value);
  };
}

} // namespace streams::actors
