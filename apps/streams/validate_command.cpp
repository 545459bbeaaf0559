// `streams validate --config FILE [--strict] APP`: checks the pipeline and its deployment
// config together, starting nothing. Unknown keys are warnings, errors with --strict.

#include "app_loader.hpp"
#include "commands.hpp"

#include "streams/deployment/deployment.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace streams::cli {

void add_validate_command(CLI::App& cli, action& chosen) {
  struct options {
    std::string app;
    std::string config;
    bool strict = false;
  };
  auto o = std::make_shared<options>();
  auto* cmd = cli.add_subcommand("validate",
                                 "Check a pipeline and its deployment config, starting nothing");
  cmd->add_option("APP", o->app, "a built-in example or the path of an app library")->required();
  cmd->add_option("--config", o->config, "the deployment config (YAML)")->required();
  cmd->add_flag("--strict", o->strict, "treat unknown keys in the config as errors");
  cmd->callback([o, &chosen] {
    chosen = [o] {
      auto d = deploy::load_deployment(load_app(o->app), o->config, o->strict);
      std::cout << "ok: pipeline '" << d.p->graph().name() << "' and " << o->config
                << " are valid\n";
      return exit_ok;
    };
  });
}

} // namespace streams::cli
