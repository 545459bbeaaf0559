#pragma once

// Internal: `${envvar:NAME}` in deployment configs, as Sentry Streams resolves it.

#include "streams/config/config_error.hpp"
#include "streams/config/load_deployment_config.hpp"

#include "yaml_tree.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace streams::config::detail {

/// NAME when `text` is entirely `${envvar:NAME}` with NAME = [A-Za-z_][A-Za-z0-9_]*; nothing
/// otherwise, so that partial matches stay literal.
std::optional<std::string_view> envvar_reference(std::string_view text);

/// Replaces every scalar value under `root` that is entirely an envvar reference by the
/// variable's value, which then counts as written unquoted (`"${envvar:N}"` can become the
/// number 4). Map keys are left alone. Every unset variable is an error naming it and the key.
void substitute_envvars(yaml_node& root, const env_lookup& env, const std::string& file,
                        std::vector<config_error>& errors);

} // namespace streams::config::detail
