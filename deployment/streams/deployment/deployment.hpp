#pragma once

#include "streams/config/deployment_config.hpp"
#include "streams/pipeline.hpp"

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace streams::cli {

/// The config has errors: one line each, already in the form the CLI prints.
class config_errors : public std::runtime_error {
public:
  explicit config_errors(std::vector<std::string> lines)
      : std::runtime_error("invalid deployment config"), lines_(std::move(lines)) {}
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
/// `config_path`, if any (throws `config_errors` listing every error; logs the config's notes).
deployment load_deployment(std::unique_ptr<pipeline> p, const std::string& config_path);

} // namespace streams::cli
