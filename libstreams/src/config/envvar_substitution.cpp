#include "envvar_substitution.hpp"

#include "key_path.hpp"

namespace streams::config::detail {

namespace {

constexpr std::string_view prefix = "${envvar:";

bool name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

void substitute(yaml_node& n, const std::string& path, const env_lookup& env,
                const std::string& file, std::vector<config_error>& errors) {
  switch (n.type) {
    case yaml_node::kind::null: break;
    case yaml_node::kind::scalar:
      if (auto name = envvar_reference(n.text)) {
        if (auto value = env(std::string(*name))) {
          n.text = std::move(*value);
          n.quoted = false;
        } else {
          n.unresolved = true;
          errors.push_back({path, "environment variable " + std::string(*name) + " is not set",
                            file, n.line, n.column});
        }
      }
      break;
    case yaml_node::kind::list:
      for (std::size_t i = 0; i < n.items.size(); ++i)
        substitute(n.items[i], item_path(path, i), env, file, errors);
      break;
    case yaml_node::kind::map:
      for (auto& e : n.entries)
        substitute(e.value, child_path(path, e.key), env, file, errors);
      break;
  }
}

} // namespace

std::optional<std::string_view> envvar_reference(std::string_view text) {
  if (text.size() <= prefix.size() + 1 || text.substr(0, prefix.size()) != prefix
      || text.back() != '}')
    return std::nullopt;
  auto name = text.substr(prefix.size(), text.size() - prefix.size() - 1);
  if (!name_start(name.front()))
    return std::nullopt;
  for (char c : name)
    if (!name_char(c))
      return std::nullopt;
  return name;
}

void substitute_envvars(yaml_node& root, const env_lookup& env, const std::string& file,
                        std::vector<config_error>& errors) {
  substitute(root, "", env, file, errors);
}

} // namespace streams::config::detail
