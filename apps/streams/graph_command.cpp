// `streams graph APP [--format text|dot|mermaid]`: the topology of a pipeline.

#include "app_loader.hpp"
#include "commands.hpp"

#include "streams/topology_format.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace streams::cli {

void add_graph_command(CLI::App& cli, action& chosen) {
  struct options {
    std::string app;
    std::string format = "text";
  };
  auto o = std::make_shared<options>();
  auto* cmd = cli.add_subcommand("graph", "Print the topology of a pipeline");
  cmd->add_option("APP", o->app, "a built-in example or the path of an app library")->required();
  cmd->add_option("--format", o->format, "text, dot or mermaid")
      ->check(CLI::IsMember({"text", "dot", "mermaid"}))
      ->capture_default_str();
  cmd->callback([o, &chosen] {
    chosen = [o] {
      auto p = load_app(o->app);
      auto problems = p->graph().problems();
      for (auto& problem : problems)
        std::cerr << "streams: warning: " << problem << "\n";
      std::cout << render(p->graph(), *parse_topology_format(o->format));
      return exit_ok;
    };
  });
}

} // namespace streams::cli
