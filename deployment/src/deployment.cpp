#include "streams/deployment/deployment.hpp"

#include "streams/config/load_deployment_config.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

namespace streams::deploy {

const char* to_string(errc code) {
  switch (code) {
    case errc::invalid_config: return "invalid_config";
    case errc::invalid_app: return "invalid_app";
  }
  return "unknown";
}

error_kind kind_of(errc code) {
  switch (code) {
    case errc::invalid_config:
    case errc::invalid_app: return {error_category::user, false};
  }
  return {error_category::internal, false};
}

deployment load_deployment(std::unique_ptr<pipeline> p, const std::string& config_path,
                           bool strict) {
  deployment d;
  d.p = std::move(p);
  d.p->validate();
  if (config_path.empty())
    return d;
  if (!std::filesystem::exists(config_path))
    throw config_errors({"config file '" + config_path + "' does not exist"});
  auto loaded = config::load_deployment_config(config_path, d.p->graph());
  for (auto& n : loaded.notes)
    spdlog::info("{}", n);
  std::vector<std::string> lines;
  for (auto& e : loaded.errors)
    lines.push_back(to_string(e));
  for (auto& w : loaded.warnings) {
    if (strict)
      lines.push_back(to_string(w) + " [--strict]");
    else
      spdlog::warn("config: {} (ignored; an error with --strict)", to_string(w));
  }
  if (!lines.empty())
    throw config_errors(std::move(lines));
  d.config = std::move(loaded.config);
  return d;
}

} // namespace streams::deploy
