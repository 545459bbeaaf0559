#pragma once

// SIGINT/SIGTERM as a request to drain, for whatever runs pipelines in this process: the
// local runtime's supervisor, a cluster node, a coordinator. CAF-free.

namespace streams::actors {

/// Makes SIGINT and SIGTERM set the flag `stop_requested` reads; a second signal kills the
/// process the default way. Clears the flag: each run that installs the handler (a runtime, a
/// node, a coordinator) ends on a signal that arrives after it started, so one process can
/// run, and be stopped, several times.
void install_stop_signals();

/// Whether SIGINT or SIGTERM arrived since `install_stop_signals`.
bool stop_requested();

} // namespace streams::actors
