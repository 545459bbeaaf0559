// streams: one binary to run pipelines, check configs, draw topologies and start the embedded
// Kafka broker.

#include "app_loader.hpp"
#include "commands.hpp"

#include "streams/deployment/deployment.hpp"

#include "streams/error.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#ifndef STREAMS_VERSION
#define STREAMS_VERSION "unknown"
#endif

int streams::cli::exit_code(const streams::error& e) {
  return e.category() == streams::error_category::user ? exit_usage : exit_failed;
}

int main(int argc, char** argv) {
  using namespace streams::cli;
  // Logs go to standard error: standard output carries what a command prints.
  spdlog::set_default_logger(spdlog::stderr_color_mt("streams"));
  CLI::App cli{"streams: stream processing pipelines over Kafka", "streams"};
  cli.set_version_flag("--version", std::string("streams ") + STREAMS_VERSION);
  // At most one subcommand; whether one was given is checked after parsing, so that an unknown
  // flag or command is reported as such rather than as a missing subcommand.
  cli.require_subcommand(0, 1);
  action chosen;
  add_run_command(cli, chosen);
  add_validate_command(cli, chosen);
  add_graph_command(cli, chosen);
  add_examples_command(cli, chosen);
  add_kafka_mock_command(cli, chosen);
  add_node_command(cli, chosen);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "streams: " << e.what() << " (see streams --help)\n";
    return exit_usage;
  }
  if (!chosen) {
    std::cerr << "streams: a subcommand is required: run, validate, graph, examples or kafka-mock "
                 "(see streams --help)\n";
    return exit_usage;
  }
  try {
    return chosen();
  } catch (const streams::pipeline_error& e) {
    for (auto& p : e.problems())
      std::cerr << "streams: invalid pipeline: " << p << "\n";
    return exit_usage;
  } catch (const streams::deploy::config_errors& e) {
    for (auto& line : e.lines())
      std::cerr << "streams: config: " << line << "\n";
    return exit_usage;
  } catch (const app_error& e) {
    std::cerr << "streams: " << e.what() << "\n";
    return exit_usage;
  } catch (const streams::error& e) {
    std::cerr << "streams: " << e.what() << " (" << e.code() << ")\n";
    return exit_code(e);
  } catch (const std::exception& e) {
    std::cerr << "streams: " << e.what() << "\n";
    return exit_failed;
  }
}
