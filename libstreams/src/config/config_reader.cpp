#include "config_reader.hpp"

#include "key_path.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>

namespace streams::config::detail {

namespace {

// The booleans of YAML 1.1 as PyYAML reads them, since Sentry Streams' configs are written
// for PyYAML (`starts_segment: True`).
std::optional<bool> plain_boolean(std::string_view t) {
  static const std::set<std::string_view> yes = {"true", "True", "TRUE", "yes", "Yes",
                                                 "YES",  "on",   "On",   "ON"};
  static const std::set<std::string_view> no = {"false", "False", "FALSE", "no", "No",
                                                "NO",    "off",   "Off",   "OFF"};
  if (yes.count(t))
    return true;
  if (no.count(t))
    return false;
  return std::nullopt;
}

std::optional<std::int64_t> plain_integer(std::string_view t) {
  if (!t.empty() && t.front() == '+')
    t.remove_prefix(1);
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size())
    return std::nullopt;
  return v;
}

std::optional<double> plain_number(std::string_view t) {
  if (t.empty()
      || !(std::isdigit(static_cast<unsigned char>(t.front())) || t.front() == '-'
           || t.front() == '+' || t.front() == '.'))
    return std::nullopt; // rules out "nan", "inf" and leading blanks, which strtod takes
  std::string s(t);
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

} // namespace

std::string with_article(std::string_view noun) {
  bool vowel = !noun.empty() && std::string_view("aeiouAEIOU").find(noun.front()) != noun.npos;
  return (vowel ? "an " : "a ") + std::string(noun);
}

std::string did_you_mean(std::string_view found, const std::vector<std::string_view>& names) {
  auto nearest = std::min_element(names.begin(), names.end(), [&](auto a, auto b) {
    return edit_distance(a, found) < edit_distance(b, found);
  });
  if (nearest == names.end() || edit_distance(*nearest, found) > 2)
    return "";
  return " (did you mean " + std::string(*nearest) + "?)";
}

std::string join(const std::vector<std::string_view>& names) {
  std::string out;
  for (auto n : names)
    out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

std::string describe(const yaml_node& n) {
  switch (n.type) {
    case yaml_node::kind::null: return "null";
    case yaml_node::kind::list: return "a list";
    case yaml_node::kind::map: return "a map";
    case yaml_node::kind::scalar: break;
  }
  if (!n.quoted) {
    if (auto b = plain_boolean(n.text))
      return std::string("the boolean ") + n.text;
    if (plain_number(n.text))
      return "the number " + n.text;
  }
  return "the string \"" + n.text + "\"";
}

void config_reader::error(const yaml_node& at, std::string path, std::string message) {
  errors_->push_back({std::move(path), std::move(message), file_, at.line, at.column});
}

void config_reader::error(std::string path, std::string message) {
  errors_->push_back({std::move(path), std::move(message), file_, 0, 0});
}

void config_reader::mismatch(const yaml_node& at, std::string path, std::string_view expected) {
  if (at.unresolved)
    return;
  error(at, std::move(path), "expected " + std::string(expected) + ", found " + describe(at));
}

const yaml_node* config_reader::find(const yaml_node& n, std::string_view key) {
  for (auto& e : n.entries)
    if (e.key == key)
      return &e.value;
  return nullptr;
}

bool config_reader::map(const yaml_node& n, const std::string& path, bool null_is_empty) {
  if (n.type == yaml_node::kind::map || (null_is_empty && n.type == yaml_node::kind::null))
    return true;
  mismatch(n, path, "a map");
  return false;
}

void config_reader::check_keys(const yaml_node& n, const std::string& path,
                               std::initializer_list<key_section> sections,
                               std::string_view owner) {
  std::vector<std::string_view> allowed;
  for (auto s : sections)
    for (auto k : key_names(s))
      allowed.push_back(k);
  std::sort(allowed.begin(), allowed.end());
  std::string for_owner = owner.empty() ? "" : " for " + std::string(owner);

  std::set<std::string_view> seen;
  for (auto& e : n.entries) {
    yaml_node key_place;
    key_place.line = e.line;
    key_place.column = e.column;
    if (!std::binary_search(allowed.begin(), allowed.end(), std::string_view(e.key))) {
      warnings_->push_back({child_path(path, e.key),
                            "unknown key" + for_owner + "; expected one of: " + join(allowed)
                                + did_you_mean(e.key, allowed),
                            file_, e.line, e.column});
    } else if (!seen.insert(e.key).second) {
      error(key_place, child_path(path, e.key), "key given twice; expected it once");
    }
  }
  for (auto s : sections)
    for (auto& k : config_keys())
      if (k.section == s && k.required && !find(n, k.name))
        error(n, child_path(path, k.name),
              "missing required key" + for_owner + "; expected " + with_article(k.type));
}

field at(const yaml_node& n, const std::string& path, std::string_view key) {
  return {config_reader::find(n, key), child_path(path, key)};
}

std::optional<std::string> config_reader::string(const field& f) {
  if (!f.node)
    return std::nullopt;
  if (f.node->type == yaml_node::kind::scalar && !f.node->text.empty())
    return f.node->text;
  mismatch(*f.node, f.path, "a non-empty string");
  return std::nullopt;
}

std::optional<bool> config_reader::boolean(const field& f) {
  if (!f.node)
    return std::nullopt;
  if (f.node->type == yaml_node::kind::scalar && !f.node->quoted)
    if (auto b = plain_boolean(f.node->text))
      return b;
  mismatch(*f.node, f.path, "a boolean (true or false)");
  return std::nullopt;
}

std::optional<std::int64_t> config_reader::integer(const field& f, std::int64_t min) {
  if (!f.node)
    return std::nullopt;
  if (f.node->type == yaml_node::kind::scalar && !f.node->quoted)
    if (auto v = plain_integer(f.node->text); v && *v >= min)
      return v;
  mismatch(*f.node, f.path,
           min == 1 ? "a positive integer" : "an integer of at least " + std::to_string(min));
  return std::nullopt;
}

std::optional<std::size_t> config_reader::positive_integer(const field& f) {
  if (auto v = integer(f, 1))
    return static_cast<std::size_t>(*v);
  return std::nullopt;
}

std::optional<std::uint16_t> config_reader::port(const field& f) {
  if (!f.node)
    return std::nullopt;
  if (f.node->type == yaml_node::kind::scalar && !f.node->quoted)
    if (auto v = plain_integer(f.node->text); v && *v >= 1 && *v <= 65535)
      return static_cast<std::uint16_t>(*v);
  mismatch(*f.node, f.path, "a port number (1 to 65535)");
  return std::nullopt;
}

std::optional<double> config_reader::number(const field& f) {
  if (!f.node)
    return std::nullopt;
  if (f.node->type == yaml_node::kind::scalar && !f.node->quoted)
    if (auto v = plain_number(f.node->text))
      return v;
  mismatch(*f.node, f.path, "a number");
  return std::nullopt;
}

std::optional<double> config_reader::positive_number(const field& f) {
  if (!f.node)
    return std::nullopt;
  if (f.node->type == yaml_node::kind::scalar && !f.node->quoted)
    if (auto v = plain_number(f.node->text); v && *v > 0)
      return v;
  mismatch(*f.node, f.path, "a positive number");
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> config_reader::seconds(const field& f) {
  auto sec = positive_number(f);
  if (!sec)
    return std::nullopt;
  return std::max(std::chrono::milliseconds(1),
                  std::chrono::milliseconds(std::llround(*sec * 1000)));
}

std::optional<std::chrono::microseconds> config_reader::milliseconds(const field& f) {
  if (!f.node)
    return std::nullopt;
  if (f.node->type == yaml_node::kind::scalar && !f.node->quoted)
    if (auto v = plain_number(f.node->text); v && *v > 0)
      return std::chrono::microseconds(std::llround(*v * 1000));
  mismatch(*f.node, f.path, "a positive number of milliseconds");
  return std::nullopt;
}

std::optional<std::vector<std::string>> config_reader::string_list(const field& f) {
  if (!f.node)
    return std::nullopt;
  auto& n = *f.node;
  if (n.type != yaml_node::kind::list || n.items.empty()) {
    mismatch(n, f.path, "a non-empty list of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (std::size_t i = 0; i < n.items.size(); ++i) {
    if (auto s = string({&n.items[i], item_path(f.path, i)}))
      out.push_back(std::move(*s));
    else
      ok = false;
  }
  return ok ? std::optional(std::move(out)) : std::nullopt;
}

std::optional<std::map<std::string, std::string>> config_reader::string_map(const field& f) {
  if (!f.node)
    return std::nullopt;
  auto& n = *f.node;
  if (n.type == yaml_node::kind::null)
    return std::map<std::string, std::string>{};
  if (n.type != yaml_node::kind::map) {
    mismatch(n, f.path, "a map of strings");
    return std::nullopt;
  }
  std::map<std::string, std::string> out;
  bool ok = true;
  for (auto& e : n.entries) {
    if (e.value.type != yaml_node::kind::scalar) {
      mismatch(e.value, child_path(f.path, e.key), "a string, number or boolean");
      ok = false;
    } else if (!out.emplace(e.key, e.value.text).second) {
      error(e.value, child_path(f.path, e.key), "key given twice; expected it once");
      ok = false;
    }
  }
  return ok ? std::optional(std::move(out)) : std::nullopt;
}

} // namespace streams::config::detail
