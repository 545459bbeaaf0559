// `streams run [--config FILE] [-s|--segment-id N] [-n|--name NAME] [--state-dir DIR]
//              [--http HOST:PORT] [--health-file FILE] [--stall-timeout-sec N]
//              [-l|--log-level LEVEL] [-a|--adapter NAME] [--strict] APP`:
// runs a pipeline until its sources end or SIGINT/SIGTERM, draining and committing on the way out.
// The short flags and --adapter are those of Sentry Streams' runner.

#include "app_loader.hpp"
#include "commands.hpp"
#include "operations.hpp"

#include "streams/deployment/config_binding.hpp"
#include "streams/deployment/deployment.hpp"

#include "streams/actors/runtime.hpp"
#include "streams/error.hpp"
#include "streams/net/cluster.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>

namespace streams::cli {

namespace {

/// debug, info, warning, error or critical, in any case (Sentry Streams' runner writes them
/// in capitals); stored in lower case.
void add_log_level_option(CLI::App& cmd, std::string& level) {
  cmd.add_option("-l,--log-level", level, "debug, info, warning, error or critical (any case)")
      ->transform(
          CLI::IsMember({"debug", "info", "warning", "error", "critical"}, CLI::ignore_case))
      ->capture_default_str();
}

/// " (kafka.unreachable, external error, may succeed if retried)": what the error's type says
/// about it, for whoever reads the CLI's last line.
std::string about(const error& e) {
  return std::string(" (") + e.code() + ", " + to_string(e.category()) + " error"
         + (e.retryable() ? ", may succeed if retried" : "") + ")";
}

/// Prints how the run ended; the exit code.
int report(const std::string& pipeline, const run_result& result) {
  if (!result.ok) { // whatever its category: 2 is for errors found before anything ran
    std::cerr << "streams: pipeline '" << pipeline << "' failed: " << result.failure->what()
              << about(*result.failure) << "\n";
    return exit_failed;
  }
  spdlog::info("pipeline '{}' stopped cleanly", pipeline);
  for (auto& s : result.steps)
    spdlog::info("step '{}'{}: {} in, {} out, {} dropped, {} invalid, {} restarts, at most {} in "
                 "flight",
                 s.name, s.instances > 1 ? " (" + std::to_string(s.instances) + " instances)" : "",
                 s.messages_in, s.messages_out, s.dropped, s.invalid, s.restarts, s.max_in_flight);
  return exit_ok;
}

struct run_options {
  std::string app;
  std::string config;
  std::string name;
  std::string log_level = "info";
  std::optional<std::size_t> segment;
  std::optional<std::string> state_dir;
  std::size_t commit_interval_ms = 1000;
  std::string adapter;
  bool strict = false;
  std::optional<std::string> http;
  std::optional<std::string> health_file;
  double stall_timeout_sec = 30;
};

/// With a `cluster` config: coordinate its nodes, which run the pipeline `d`.
int coordinate(const run_options& o, deploy::deployment d) {
  auto cluster = *d.config->cluster;
  auto pipeline = bind_for_cluster(std::move(d));
  net::deploy_request request; // the coordinator fills in the rest for each attempt
  request.app = o.app;
  request.config = o.config;
  request.name = o.name;
  auto result = net::coordinate(std::move(request), pipeline, cluster);
  auto code = report(o.name.empty() ? o.app : o.name, result);
  // The coordinator's actor system is still running (net::coordinate): end here, with what
  // was reported written out, rather than wait for it in the exit's destructors.
  spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) { l->flush(); });
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(code);
}

} // namespace

void add_run_command(CLI::App& cli, action& chosen) {
  auto o = std::make_shared<run_options>();
  auto* cmd = cli.add_subcommand("run", "Run a pipeline until its input ends or SIGINT/SIGTERM");
  cmd->add_option("APP", o->app, "a built-in example or the path of an app library")->required();
  cmd->add_option("--config", o->config, "the deployment config (YAML, Sentry Streams' shape)");
  cmd->add_option("-s,--segment-id", o->segment,
                  "run only this segment of the config (default: all of them)");
  cmd->add_option("-n,--name", o->name, "the pipeline's name (default: the app's)");
  cmd->add_option("-a,--adapter", o->adapter,
                  "accepted for Sentry Streams' runner (arroyo, rust_arroyo) and ignored: "
                  "streams has one runtime")
      ->check(CLI::IsMember({"arroyo", "rust_arroyo"}));
  cmd->add_flag("--strict", o->strict, "treat unknown keys in the config as errors");
  cmd->add_option("--state-dir", o->state_dir,
                  "where stateful steps keep their state, in DIR/<name> (default: the config's "
                  "state_dir, else streams-state; :memory: for none that lasts)")
      ->type_name("DIR")
      ->check(CLI::Validator(
          [](std::string& dir) {
            return dir.empty() ? std::string("expected a directory, found ''") : "";
          },
          ""));
  cmd->add_option("--commit-interval-ms", o->commit_interval_ms,
                  "how often sources commit what is done (also on revocation and on stop)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{3'600'000}))
      ->capture_default_str();
  cmd->add_option("--http", o->http,
                  "serve /metrics, /health and /ready over HTTP here (the prometheus metrics "
                  "config serves them at its own address)")
      ->type_name("HOST:PORT")
      ->check(CLI::Validator([](std::string& a) { return address_problem(a); }, ""));
  cmd->add_option("--health-file", o->health_file,
                  "touch FILE every second while the pipeline is live (default with the "
                  "config's write_healthcheck: /tmp/health.txt)")
      ->type_name("FILE");
  cmd->add_option("--stall-timeout-sec", o->stall_timeout_sec,
                  "a step blocked in one call for this long makes the pipeline not live (/health "
                  "503, the health file untouched)")
      ->check(CLI::Range(0.1, 86400.0))
      ->capture_default_str();
  add_log_level_option(*cmd, o->log_level);
  cmd->callback([o, &chosen] {
    chosen = [o] {
      spdlog::set_level(spdlog::level::from_str(o->log_level == "warning" ? "warn" : o->log_level));
      auto d = deploy::load_deployment(load_app(o->app, o->name), o->config, o->strict);
      auto& g = d.p->graph();
      runtime_options ro;
      ro.stop_on_signals = true;
      ro.commit_interval = std::chrono::milliseconds(o->commit_interval_ms);
      deploy::binding bound;
      if (d.config && d.config->cluster) {
        if (o->segment)
          throw deploy::config_errors(
              {"--segment-id: with a cluster section the coordinator places every segment on "
               "its nodes; run without --segment-id, or without the cluster section"});
        return coordinate(*o, std::move(d));
      }
      auto segments = d.config ? d.config->segments.size() : 1;
      if (o->segment && *o->segment >= segments)
        throw deploy::config_errors({"--segment-id " + std::to_string(*o->segment) + ": the "
                                     + (d.config ? "config" : "pipeline without --config") + " has "
                                     + std::to_string(segments) + " segment(s)"});
      if (d.config) {
        bound = deploy::bind_config(g, *d.config, ro);
        for (auto& n : bound.notes)
          spdlog::warn("{}", n);
        ro.where = deploy::placement_of(*d.config);
        ro.where.only_segment = o->segment;
      }
      if (o->segment)
        spdlog::info("running segment {} of {}: the other segments run elsewhere", *o->segment,
                     segments);
      else if (segments > 1)
        spdlog::info("the {} segments run together in this process (--segment-id runs one, a "
                     "cluster section places them on nodes)",
                     segments);
      if (o->state_dir) // the command line wins over the config
        ro.state_dir = *o->state_dir;
      if (o->health_file)
        ro.health_file = *o->health_file;
      ro.stall_timeout =
          std::chrono::milliseconds(static_cast<long long>(o->stall_timeout_sec * 1000));
      runtime r(g, ro);
      try {
        r.start();
      } catch (const pipeline_error&) {
        throw;
      } catch (const error& e) { // nothing started
        std::cerr << "streams: cannot start pipeline '" << g.name() << "': " << e.what() << about(e)
                  << "\n";
        return exit_code(e);
      } catch (const std::exception& e) { // nothing started: a setting or file is wrong
        std::cerr << "streams: cannot start pipeline '" << g.name() << "': " << e.what() << "\n";
        return exit_usage;
      }
      std::unique_ptr<operations> ops;
      try {
        ops = std::make_unique<operations>(
            r, d.config ? d.config->metrics : config::metrics_config{}, o->http);
      } catch (const std::exception& e) {
        std::cerr << "streams: cannot start pipeline '" << g.name() << "': " << e.what() << "\n";
        r.stop();
        r.wait();
        return exit_usage;
      }
      spdlog::info("pipeline '{}' running", g.name());
      auto result = r.wait();
      ops.reset(); // the metrics' last report
      return report(g.name(), result);
    };
  });
}

} // namespace streams::cli
