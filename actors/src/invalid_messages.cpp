// What becomes of an invalid message, whichever actor meets it (a transform whose operator
// rejects it, a sink whose broker refuses it for good): its source's `on_invalid` decides.

#include "log.hpp"
#include "step_actors.hpp"

#include "streams/dead_letter.hpp"

#include <caf/event_based_actor.hpp>

namespace streams::actors {

namespace {

/// "source 'in' partition 2 offset 17" for the first origin, and how many more there are.
std::string where(const wiring& w, const lineage& l) {
  auto origins = l.origins();
  if (origins.empty())
    return "source '" + w.source_name + "'";
  auto& o = origins.front();
  auto text = o.source == w.source
                  ? "source '" + w.source_name + "' partition " + std::to_string(o.partition)
                        + " offset " + std::to_string(o.offset)
                  : "an output of a stateful step fed by source '" + w.source_name + "'";
  if (origins.size() > 1)
    text += " (and " + std::to_string(origins.size() - 1) + " more origins)";
  return text;
}

} // namespace

std::string handle_invalid(caf::event_based_actor* self, const wiring& w, const step_setup& setup,
                           message m, const std::string& reason, ack_buffer& acks) {
  auto& step = setup.name;
  switch (w.on_invalid.action) {
    case on_invalid::stop:
      return "invalid message from " + where(w, m.lineage()) + ": " + reason
             + " (nothing is committed past it; give the source a dlq, or on_invalid: drop, "
               "to go on past invalid messages)";
    case on_invalid::drop:
      log().warn("step '{}' dropped an invalid message from {}: {}", step, where(w, m.lineage()),
                 reason);
      acks.add(m.lineage());
      return "";
    case on_invalid::dead_letter: break;
  }
  origins mine;
  for (auto& o : m.lineage().origins())
    if (o.source == w.source)
      mine.push_back(o);
  // Before the dead letter leaves: the source counts it against its limits before its
  // delivery can be acknowledged, so a message past a limit is never committed.
  if (!mine.empty() && w.source < w.sources.size())
    self->send(w.sources[w.source], invalid_atom::value, std::move(mine));
  self->send(w.dead_letters, dead_atom::value,
             to_dead_letter(std::move(m), w.source_name, step, reason, setup.input_codec));
  return "";
}

} // namespace streams::actors
