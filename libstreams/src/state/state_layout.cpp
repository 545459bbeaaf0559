#include "streams/state/state_store.hpp"

namespace streams {

namespace {

/// Outside every step's prefix (step names are not empty), like the changelog's read mark.
const std::string layout_key("\0layout", 7);

} // namespace

void check_state_layout(state_store& store) {
  if (auto found = store.get(layout_key)) {
    if (*found == state_layout)
      return;
    throw state_error("state store " + store.where() + ": written with state layout " + *found
                      + ", this streams reads layout " + std::string(state_layout)
                      + ": run the version that wrote it, or remove the state to start empty");
  }
  bool steps_wrote = false;
  store.scan("", [&](std::string_view key, std::string_view) {
    steps_wrote = steps_wrote || (!key.empty() && key.front() != '\0');
  });
  if (steps_wrote)
    throw state_error("state store " + store.where()
                      + ": written by a streams older than state layout "
                      + std::string(state_layout)
                      + " (reduce steps kept a record per pane), which cannot be read: run the "
                        "version that wrote it, or remove the state to start empty");
  write_batch mark;
  mark.put(layout_key, std::string(state_layout));
  store.write(mark);
}

} // namespace streams
