// `streams run [--config FILE] [--segment-id N] [--name NAME] [--log-level LEVEL] APP`:
// runs a pipeline until its sources end or SIGINT/SIGTERM, draining and committing on the way out.

#include "app_loader.hpp"
#include "commands.hpp"

#include "streams/actors/runtime.hpp"
#include "streams/error.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <iostream>

namespace streams::cli {

void add_run_command(CLI::App& cli, action& chosen) {
  struct options {
    std::string app;
    std::string name;
    std::string log_level = "info";
  };
  auto o = std::make_shared<options>();
  auto* cmd = cli.add_subcommand("run", "Run a pipeline until its input ends or SIGINT/SIGTERM");
  cmd->add_option("APP", o->app, "a built-in example or the path of an app library")->required();
  cmd->add_option("--name", o->name, "the pipeline's name (default: the app's)");
  cmd->add_option("--log-level", o->log_level, "debug, info, warning, error or critical")
      ->check(CLI::IsMember({"debug", "info", "warning", "error", "critical"}))
      ->capture_default_str();
  cmd->callback([o, &chosen] {
    chosen = [o] {
      spdlog::set_level(spdlog::level::from_str(o->log_level == "warning" ? "warn" : o->log_level));
      auto p = load_app(o->app, o->name);
      runtime_options ro;
      ro.stop_on_signals = true;
      runtime r(p->graph(), ro);
      try {
        r.start();
      } catch (const pipeline_error&) {
        throw;
      } catch (const std::exception& e) { // nothing started: a setting or file is wrong
        std::cerr << "streams: cannot start pipeline '" << p->graph().name() << "': " << e.what() << "\n";
        return exit_usage;
      }
      auto result = r.wait();
      if (!result.ok) {
        std::cerr << "streams: pipeline '" << p->graph().name() << "' failed: " << result.error << "\n";
        return exit_failed;
      }
      return exit_ok;
    };
  });
}

} // namespace streams::cli
