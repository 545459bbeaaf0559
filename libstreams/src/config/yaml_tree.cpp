#include "yaml_tree.hpp"

#include <yaml-cpp/depthguard.h>
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

std::string nested_too_deep() {
  return "nested deeper than " + std::to_string(yaml_limits::depth) + " levels";
}

/// A limit of `yaml_limits` passed at `mark`.
struct past_limit {
  std::string message;
  YAML::Mark mark;
};

/// yaml-cpp shares the node an alias names; the tree copies it, counting what it copies
/// against `yaml_limits` and stopping at the first limit passed.
class converter {
public:
  converter(const std::string& file, std::vector<config_error>& errors)
      : file_(file), errors_(errors) {}

  yaml_node convert(const YAML::Node& in, int depth) {
    if (depth > yaml_limits::depth)
      throw past_limit{nested_too_deep(), in.Mark()};
    if (++nodes_ > yaml_limits::nodes)
      throw past_limit{"more than " + std::to_string(yaml_limits::nodes)
                           + " nodes once its aliases are expanded",
                       in.Mark()};
    yaml_node out;
    place(out, in.Mark());
    switch (in.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null: break;
      case YAML::NodeType::Scalar:
        out.type = yaml_node::kind::scalar;
        out.text = in.Scalar();
        count_text(out.text, in.Mark());
        // yaml-cpp tags plain scalars "?" and quoted or block scalars "!"; an explicit tag
        // such as !!str also makes a string.
        out.quoted = in.Tag() != "?";
        break;
      case YAML::NodeType::Sequence:
        out.type = yaml_node::kind::list;
        for (const auto& item : in)
          out.items.push_back(convert(item, depth + 1));
        break;
      case YAML::NodeType::Map:
        out.type = yaml_node::kind::map;
        for (const auto& kv : in) {
          yaml_entry e;
          if (kv.first.IsScalar()) {
            e.key = kv.first.Scalar();
            count_text(e.key, kv.first.Mark());
          } else {
            auto m = kv.first.Mark();
            errors_.push_back({"", "expected a key that is a string, found a list or map", file_,
                               m.line + 1, m.column + 1});
            continue;
          }
          e.line = kv.first.Mark().line + 1;
          e.column = kv.first.Mark().column + 1;
          e.value = convert(kv.second, depth + 1);
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

private:
  void count_text(const std::string& text, const YAML::Mark& mark) {
    text_ += text.size();
    if (text_ > yaml_limits::text_bytes)
      throw past_limit{"more than " + mebibytes(yaml_limits::text_bytes)
                           + " of text once its aliases are expanded",
                       mark};
  }

  const std::string& file_;
  std::vector<config_error>& errors_;
  std::size_t nodes_ = 0;
  std::size_t text_ = 0;
};

} // namespace

std::optional<yaml_node> parse_yaml(std::string_view text, const std::string& file,
                                    std::vector<config_error>& errors) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::DeepRecursion& e) {
    errors.push_back({"", too_large(nested_too_deep()), file, e.mark.line + 1, e.mark.column + 1});
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    errors.push_back({"", "invalid YAML: " + e.msg, file, e.mark.line + 1, e.mark.column + 1});
    return std::nullopt;
  }
  auto before = errors.size();
  yaml_node tree;
  try {
    tree = converter(file, errors).convert(root, 0);
  } catch (const past_limit& e) {
    errors.push_back({"", too_large(e.message), file, e.mark.line + 1, e.mark.column + 1});
    return std::nullopt;
  }
  if (errors.size() != before)
    return std::nullopt;
  if (tree.line == 0)
    tree.line = tree.column = 1;
  return tree;
}

std::size_t text_bytes(const yaml_node& n) {
  std::size_t bytes = n.text.size();
  for (auto& item : n.items)
    bytes += text_bytes(item);
  for (auto& e : n.entries)
    bytes += e.key.size() + text_bytes(e.value);
  return bytes;
}

std::string mebibytes(std::size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

std::string too_large(const std::string& why) {
  return "refused: the config is " + why + "; see \"Limits\" in docs/config.md";
}

} // namespace streams::config::detail
