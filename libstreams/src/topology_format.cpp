#include "streams/topology_format.hpp"

namespace streams {

namespace {

std::string label(const step_node& s) {
  auto text = s.name + "\\n" + std::string(to_string(s.kind));
  if (!s.stream_name.empty())
    text += " " + s.stream_name;
  else if (!s.detail.empty())
    text += " " + s.detail;
  return text;
}

std::string escape(const std::string& s, const std::string& quote_as) {
  std::string out;
  for (auto c : s) {
    if (c == '"')
      out += quote_as;
    else
      out += c;
  }
  return out;
}

std::string edge_label(const graph& g, const edge& e) {
  auto& from = g.step(e.from);
  bool branching = from.kind == step_kind::router || from.kind == step_kind::broadcast;
  return branching && e.port < from.ports.size() ? from.ports[e.port] : "";
}

std::string dot(const graph& g) {
  std::string out = "digraph \"" + escape(g.name(), "\\\"") + "\" {\n  rankdir=LR;\n";
  for (std::size_t i = 0; i < g.steps().size(); ++i) {
    auto& s = g.step(i);
    auto shape = s.kind == step_kind::source || s.kind == step_kind::sink ? "box" : "ellipse";
    out += "  s" + std::to_string(i) + " [label=\"" + escape(label(s), "\\\"")
           + "\", shape=" + shape + "];\n";
  }
  for (auto& e : g.edges()) {
    out += "  s" + std::to_string(e.from) + " -> s" + std::to_string(e.to);
    auto l = edge_label(g, e);
    if (!l.empty())
      out += " [label=\"" + escape(l, "\\\"") + "\"]";
    out += ";\n";
  }
  return out + "}\n";
}

std::string mermaid(const graph& g) {
  std::string out = "flowchart LR\n";
  for (std::size_t i = 0; i < g.steps().size(); ++i) {
    auto& s = g.step(i);
    auto text = label(s);
    for (std::size_t p; (p = text.find("\\n")) != std::string::npos;)
      text.replace(p, 2, "<br/>");
    out += "  s" + std::to_string(i) + "[\"" + escape(text, "#quot;") + "\"]\n";
  }
  for (auto& e : g.edges()) {
    auto l = edge_label(g, e);
    out += "  s" + std::to_string(e.from) + " -->" + (l.empty() ? "" : "|" + l + "|") + " s"
           + std::to_string(e.to) + "\n";
  }
  return out;
}

} // namespace

std::optional<topology_format> parse_topology_format(std::string_view name) {
  if (name == "text")
    return topology_format::text;
  if (name == "dot")
    return topology_format::dot;
  if (name == "mermaid")
    return topology_format::mermaid;
  return std::nullopt;
}

std::string render(const graph& g, topology_format format) {
  switch (format) {
    case topology_format::dot: return dot(g);
    case topology_format::mermaid: return mermaid(g);
    case topology_format::text: break;
  }
  return g.to_text();
}

} // namespace streams
