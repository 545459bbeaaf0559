#include "envvar_substitution.hpp"

#include "key_path.hpp"

#include <algorithm>

namespace streams::config::detail {

namespace {

constexpr std::string_view prefix = "${envvar:";

bool name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

/// What `yaml_limits::text_bytes` still allows: the first value past it is an error, and
/// nothing more is substituted.
struct text_budget {
  std::size_t left;
  bool spent = false;
};

void substitute(yaml_node& n, const std::string& path, const env_lookup& env,
                const std::string& file, std::vector<config_error>& errors, text_budget& text) {
  switch (n.type) {
    case yaml_node::kind::null: break;
    case yaml_node::kind::scalar:
      if (auto name = envvar_reference(n.text)) {
        if (auto value = env(std::string(*name))) {
          if (text.spent || value->size() > text.left) {
            if (!text.spent)
              errors.push_back({path,
                                too_large("more than " + mebibytes(yaml_limits::text_bytes)
                                          + " of text once its environment variables are expanded"),
                                file, n.line, n.column});
            text.spent = true;
            return;
          }
          text.left -= value->size();
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
        substitute(n.items[i], item_path(path, i), env, file, errors, text);
      break;
    case yaml_node::kind::map:
      for (auto& e : n.entries)
        substitute(e.value, child_path(path, e.key), env, file, errors, text);
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
  text_budget text{yaml_limits::text_bytes - std::min(yaml_limits::text_bytes, text_bytes(root))};
  substitute(root, "", env, file, errors, text);
}

} // namespace streams::config::detail
