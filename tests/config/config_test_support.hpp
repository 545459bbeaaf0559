#pragma once

// Helpers of the config tests: loading text with a fixed environment, finding an error.

#include "streams/config/load_deployment_config.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace streams::test {

/// An environment of exactly these variables.
config::env_lookup fake_env(std::map<std::string, std::string> vars = {});

/// Loads YAML text against `g` with the environment `vars`.
config::load_result load_text(const std::string& yaml, const graph& g,
                              std::map<std::string, std::string> vars = {});

/// The error at `path` whose line contains every one of `parts`, or nullptr.
const config::config_error* find_error(const config::load_result& r, const std::string& path,
                                       const std::vector<std::string>& parts = {});

/// Every error, one per line, for failure messages.
std::string all_errors(const config::load_result& r);

/// A file of tests/config/.
std::filesystem::path fixture(const std::string& name);

} // namespace streams::test
