#pragma once

#include "streams/config/config_error.hpp"
#include "streams/config/deployment_config.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace streams {
class graph;
} // namespace streams

namespace streams::config {

/// The value of an environment variable, or nothing when it is unset. Tests pass their own.
using env_lookup = std::function<std::optional<std::string>(const std::string& name)>;

/// Reads the environment of this process (`getenv`).
std::optional<std::string> process_env(const std::string& name);

/// A config, or every error found in it.
struct load_result {
  /// Set exactly when `errors` is empty.
  std::optional<deployment_config> config;
  /// In the order of the file; those concerning no one place of it last.
  std::vector<config_error> errors;
  /// Keys that no section knows, in the order of the file. Sentry Streams' schema lets a
  /// config carry extra keys, so they do not stop the load; each names the nearest known key
  /// ("did you mean"). `streams validate --strict` treats them as errors.
  std::vector<config_error> warnings;
  /// Things worth one info log line each, such as sections accepted but ignored.
  std::vector<std::string> notes;

  explicit operator bool() const { return errors.empty(); }
};

/// Loads a deployment config and checks it against the pipeline it deploys, collecting
/// every error instead of stopping at the first: YAML syntax, `${envvar:NAME}` references to
/// unset variables, missing keys, values of the wrong type, steps the pipeline lacks, Kafka
/// steps nobody configured; and a warning for every unknown key. Nothing is started, and the
/// pipeline only read.
///
/// A string that is entirely `${envvar:NAME}` (NAME = [A-Za-z_][A-Za-z0-9_]*) becomes the
/// value of that variable, read through `env`, and is then taken as if written unquoted (so
/// it can be a number); anything else containing `${envvar:` stays as written.
///
///     auto r = config::load_deployment_config(path, pipeline.graph());
///     if (!r) {
///       for (auto& e : r.errors)
///         std::cerr << e << '\n';
///       return 2;
///     }
///     auto src = r.config->settings<config::kafka_source_settings>("myinput");
load_result load_deployment_config(const std::filesystem::path& file, const graph& pipeline,
                                   const env_lookup& env = process_env);

/// The same for YAML text; errors carry no file name.
load_result parse_deployment_config(std::string_view yaml, const graph& pipeline,
                                    const env_lookup& env = process_env);

} // namespace streams::config
