// streams: one binary to run pipelines, check configs, draw topologies and start the embedded
// Kafka broker.

#include "app_loader.hpp"
#include "commands.hpp"

#include "streams/error.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

#ifndef STREAMS_VERSION
#define STREAMS_VERSION "unknown"
#endif

int main(int argc, char** argv) {
  using namespace streams::cli;
  CLI::App cli{"streams: stream processing pipelines over Kafka", "streams"};
  cli.set_version_flag("--version", std::string("streams ") + STREAMS_VERSION);
  cli.require_subcommand(1);
  action chosen;
  add_run_command(cli, chosen);
  add_graph_command(cli, chosen);
  add_examples_command(cli, chosen);
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
  try {
    return chosen();
  } catch (const streams::pipeline_error& e) {
    for (auto& p : e.problems())
      std::cerr << "streams: invalid pipeline: " << p << "\n";
    return exit_usage;
  } catch (const app_error& e) {
    std::cerr << "streams: " << e.what() << "\n";
    return exit_usage;
  } catch (const std::exception& e) {
    std::cerr << "streams: " << e.what() << "\n";
    return exit_failed;
  }
}
