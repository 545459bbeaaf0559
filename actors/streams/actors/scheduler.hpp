#pragma once

// How the actor systems of the local runtime and of cluster nodes schedule their actors. For
// actors/ and net/ only.

#include <caf/fwd.hpp>

namespace streams::actors {

/// Makes `cfg`'s actor system run an actor, once a message makes it runnable, on the worker
/// thread of the actor that sent the message, unless that worker is busy for long: a batch is
/// then consumed on the core whose cache holds it, and freed where it was allocated.
///
/// CAF's own policies move actors between cores all the time. Work sharing (one queue for all
/// workers) ran the window benchmark's pipeline (source, reduce step, sink) 1.6 times slower
/// on the 2 cores of our machines than pinned to one with `taskset`, spending twice the CPU:
/// every batch, window and freed message crossed cores (docs/benchmarks.md). Work stealing
/// keeps an actor on its sender's worker, but its idle workers steal at once and poll (40% of
/// 2 cores for an idle pipeline).
///
/// Here a runnable actor waits in its sender's worker's queue; jobs from outside the actor
/// system (timers, connector threads, the main thread) in a queue that every worker takes
/// from. A worker runs the older of its own next job and the shared next job; an idle worker
/// sleeps, and takes a job from another worker's queue only once that job has waited
/// `steal_after`: then its worker is busy with a long job or a backlog, and the work spreads.
void schedule_near_senders(caf::actor_system_config& cfg);

} // namespace streams::actors
