// `streams examples`: the built-in apps.

#include "../examples/examples.hpp"
#include "commands.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace streams::cli {

void add_examples_command(CLI::App& cli, action& chosen) {
  auto* cmd = cli.add_subcommand("examples", "List the built-in example apps");
  cmd->callback([&chosen] {
    chosen = [] {
      for (auto& e : examples::all())
        std::cout << e.name << "\t" << e.description << "\n";
      return exit_ok;
    };
  });
}

} // namespace streams::cli
