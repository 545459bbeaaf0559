#include "streams/deployment/deployment.hpp"

#include "streams/config/load_deployment_config.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

namespace streams::cli {

deployment load_deployment(std::unique_ptr<pipeline> p, const std::string& config_path) {
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
  if (!loaded) {
    std::vector<std::string> lines;
    for (auto& e : loaded.errors)
      lines.push_back(to_string(e));
    throw config_errors(std::move(lines));
  }
  d.config = std::move(loaded.config);
  return d;
}

} // namespace streams::cli
