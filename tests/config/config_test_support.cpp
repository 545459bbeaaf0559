#include "config/config_test_support.hpp"

#include "examples/examples.hpp"

#include <stdexcept>

namespace streams::test {

std::unique_ptr<pipeline> example(const std::string& name) {
  for (auto& e : examples::all()) {
    if (e.name == name) {
      auto p = std::make_unique<pipeline>(name);
      e.build(*p);
      return p;
    }
  }
  throw std::invalid_argument("no example app named " + name);
}

config::env_lookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto i = vars.find(name);
    if (i == vars.end())
      return std::nullopt;
    return i->second;
  };
}

config::load_result load_text(const std::string& yaml, const graph& g,
                              std::map<std::string, std::string> vars) {
  return config::parse_deployment_config(yaml, g, fake_env(std::move(vars)));
}

namespace {

const config::config_error* find_in(const std::vector<config::config_error>& found,
                                    const std::string& path,
                                    const std::vector<std::string>& parts) {
  for (auto& e : found) {
    if (e.path != path)
      continue;
    auto line = to_string(e);
    bool all = true;
    for (auto& p : parts)
      all = all && line.find(p) != std::string::npos;
    if (all)
      return &e;
  }
  return nullptr;
}

} // namespace

const config::config_error* find_error(const config::load_result& r, const std::string& path,
                                       const std::vector<std::string>& parts) {
  return find_in(r.errors, path, parts);
}

const config::config_error* find_warning(const config::load_result& r, const std::string& path,
                                         const std::vector<std::string>& parts) {
  return find_in(r.warnings, path, parts);
}

std::string all_errors(const config::load_result& r) {
  std::string out;
  for (auto& e : r.errors)
    out += to_string(e) + "\n";
  for (auto& w : r.warnings)
    out += "warning: " + to_string(w) + "\n";
  return out;
}

std::filesystem::path fixture(const std::string& name) {
  // Tests run from the build tree; the fixtures live beside this file.
  return std::filesystem::path(__FILE__).parent_path() / name;
}

} // namespace streams::test
