// How a step actor tells the supervisor that the pipeline must stop: with a typed error, so
// that its code and category reach `run_result::failure` and the CLI.

#include "step_actors.hpp"

#include <caf/event_based_actor.hpp>

namespace streams::actors {

error error_of(const std::exception& e, runtime_errc otherwise) {
  if (auto typed = dynamic_cast<const error*>(&e))
    return *typed;
  return run_error(otherwise, e.what());
}

void report_failure(caf::event_based_actor* self, const wiring& w, const std::string& who,
                    const error& e) {
  self->send(w.supervisor, failed_atom::value, error(e.code(), e.kind(), who + ": " + e.what()));
}

} // namespace streams::actors
