#pragma once

// Helpers of the config tests: the example pipelines, loading text with a fixed environment,
// finding an error.

#include "streams/config/load_deployment_config.hpp"
#include "streams/pipeline.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace streams::test {

/// The built-in example app `name` (apps/examples, as `streams run` runs it), built into a
/// pipeline of that name. Configs are checked against these, the real examples.
std::unique_ptr<pipeline> example(const std::string& name);

/// An environment of exactly these variables.
config::env_lookup fake_env(std::map<std::string, std::string> vars = {});

/// Loads YAML text against `g` with the environment `vars`.
config::load_result load_text(const std::string& yaml, const graph& g,
                              std::map<std::string, std::string> vars = {});

/// The error at `path` whose line contains every one of `parts`, or nullptr.
const config::config_error* find_error(const config::load_result& r, const std::string& path,
                                       const std::vector<std::string>& parts = {});

/// The same among the warnings (unknown keys).
const config::config_error* find_warning(const config::load_result& r, const std::string& path,
                                         const std::vector<std::string>& parts = {});

/// Every error and warning, one per line, for failure messages.
std::string all_errors(const config::load_result& r);

/// A file of tests/config/.
std::filesystem::path fixture(const std::string& name);

} // namespace streams::test
