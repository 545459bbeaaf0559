#pragma once

#include "streams/config/deployment_config.hpp"
#include "streams/error.hpp"
#include "streams/pipeline.hpp"

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace streams::deploy {

/// The errors of this layer.
enum class errc {
  /// The deployment config cannot be read or does not fit the pipeline, or was refused
  /// under `strict` for an unknown key (user; retrying cannot help).
  invalid_config,
  /// The app cannot be turned into a pipeline: an unknown name, a library that does not load,
  /// lacks `streams_app` or throws building it (user; retrying cannot help).
  invalid_app,
};

/// "invalid_config", "invalid_app".
const char* to_string(errc code);
error_kind kind_of(errc code);

/// The config has errors: one line each, already in the form the CLI prints. Its code is
/// "deploy.invalid_config".
class config_errors : public error {
public:
  explicit config_errors(std::vector<std::string> lines)
      : error(std::string("deploy.") + to_string(errc::invalid_config),
              kind_of(errc::invalid_config), "invalid deployment config"),
        lines_(std::move(lines)) {}
  const std::vector<std::string>& lines() const { return lines_; }

private:
  std::vector<std::string> lines_;
};

/// An app's pipeline with the deployment config it runs under, both checked.
struct deployment {
  std::unique_ptr<pipeline> p;
  std::optional<config::deployment_config> config;
};

/// Validates the pipeline `p` (throws `pipeline_error`), then loads and checks the config at
/// `config_path`, if any (throws `config_errors` listing every error; logs the config's notes
/// and warns of each unknown key, which under `strict` is an error instead).
deployment load_deployment(std::unique_ptr<pipeline> p, const std::string& config_path,
                           bool strict = false);

} // namespace streams::deploy
