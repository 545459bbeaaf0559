#pragma once

// The subcommands of the `streams` CLI, one file each. Each adds itself to the parser and
// sets `action` to what runs when it was chosen; the action returns the exit code.

#include <functional>

namespace CLI {
class App;
} // namespace CLI

namespace streams {
class error;
} // namespace streams

namespace streams::cli {

using action = std::function<int()>;

/// Exit codes: 0 success, 1 the pipeline failed while running, 2 bad usage, config or app.
constexpr int exit_ok = 0;
constexpr int exit_failed = 1;
constexpr int exit_usage = 2;

/// 2 for the user's errors (they are found before anything runs), 1 for the others.
int exit_code(const error& e);

void add_run_command(CLI::App& cli, action& chosen);
void add_graph_command(CLI::App& cli, action& chosen);
void add_validate_command(CLI::App& cli, action& chosen);
void add_examples_command(CLI::App& cli, action& chosen);
void add_kafka_mock_command(CLI::App& cli, action& chosen);
void add_node_command(CLI::App& cli, action& chosen);

} // namespace streams::cli
