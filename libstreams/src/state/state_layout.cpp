#include "streams/state/state_store.hpp"

#include "streams/state/codec.hpp"

namespace streams {

namespace {

/// Outside every step's prefix (step names are not empty), like the changelog's read mark.
const std::string layout_key("\0layout", 7);
const std::string run_key("\0run", 4);

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

std::int32_t next_run(state_store& store) {
  std::int32_t run = 0;
  if (auto last = store.get(run_key)) {
    std::string_view v(*last);
    codec::decode(v, run);
  }
  ++run;
  std::string v;
  codec::encode(v, run);
  write_batch b;
  b.put(run_key, std::move(v));
  store.write(b);
  return run;
}

} // namespace streams
