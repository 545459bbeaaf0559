#include "yaml_tree.hpp"

#include <yaml-cpp/yaml.h>

namespace streams::config::detail {

namespace {

void place(yaml_node& n, const YAML::Mark& m) {
  // yaml-cpp counts from 0 and marks some nodes (nulls) with -1.
  if (m.line >= 0) {
    n.line = m.line + 1;
    n.column = m.column + 1;
  }
}

yaml_node convert(const YAML::Node& in, const std::string& file,
                  std::vector<config_error>& errors) {
  yaml_node out;
  place(out, in.Mark());
  switch (in.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null: break;
    case YAML::NodeType::Scalar:
      out.type = yaml_node::kind::scalar;
      out.text = in.Scalar();
      // yaml-cpp tags plain scalars "?" and quoted or block scalars "!"; an explicit tag
      // such as !!str also makes a string.
      out.quoted = in.Tag() != "?";
      break;
    case YAML::NodeType::Sequence:
      out.type = yaml_node::kind::list;
      for (const auto& item : in)
        out.items.push_back(convert(item, file, errors));
      break;
    case YAML::NodeType::Map:
      out.type = yaml_node::kind::map;
      for (const auto& kv : in) {
        yaml_entry e;
        if (kv.first.IsScalar()) {
          e.key = kv.first.Scalar();
        } else {
          auto m = kv.first.Mark();
          errors.push_back({"", "expected a key that is a string, found a list or map", file,
                            m.line + 1, m.column + 1});
          continue;
        }
        e.line = kv.first.Mark().line + 1;
        e.column = kv.first.Mark().column + 1;
        e.value = convert(kv.second, file, errors);
        if (e.value.line == 0 || e.value.type == yaml_node::kind::null) {
          // a null value has no place of its own worth showing: point at its key
          e.value.line = e.line;
          e.value.column = e.column;
        }
        out.entries.push_back(std::move(e));
      }
      break;
  }
  return out;
}

} // namespace

std::optional<yaml_node> parse_yaml(std::string_view text, const std::string& file,
                                    std::vector<config_error>& errors) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    errors.push_back({"", "invalid YAML: " + e.msg, file, e.mark.line + 1, e.mark.column + 1});
    return std::nullopt;
  }
  auto before = errors.size();
  auto tree = convert(root, file, errors);
  if (errors.size() != before)
    return std::nullopt;
  if (tree.line == 0)
    tree.line = tree.column = 1;
  return tree;
}

} // namespace streams::config::detail
