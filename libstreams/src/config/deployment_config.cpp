#include "streams/config/deployment_config.hpp"

namespace streams::config {

const step_config* deployment_config::step(std::string_view name) const {
  for (auto& segment : segments)
    if (auto i = segment.steps.find(name); i != segment.steps.end())
      return &i->second;
  return nullptr;
}

} // namespace streams::config
