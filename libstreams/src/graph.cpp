#include "streams/graph.hpp"

#include "streams/error.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

namespace streams {

std::string_view to_string(step_kind k) {
  switch (k) {
    case step_kind::source: return "source";
    case step_kind::map: return "map";
    case step_kind::filter: return "filter";
    case step_kind::flat_map: return "flat_map";
    case step_kind::header_filter: return "header_filter";
    case step_kind::parser: return "parser";
    case step_kind::serializer: return "serializer";
    case step_kind::batch: return "batch";
    case step_kind::reduce: return "reduce";
    case step_kind::stateful_map: return "stateful_map";
    case step_kind::router: return "router";
    case step_kind::broadcast: return "broadcast";
    case step_kind::sink: return "sink";
  }
  return "unknown";
}

std::size_t graph::add(step_node node) {
  steps_.push_back(std::move(node));
  return steps_.size() - 1;
}

void graph::connect(std::size_t from, std::size_t port, std::size_t to) {
  if (from >= steps_.size() || to >= steps_.size())
    throw std::out_of_range("graph::connect: no step with index "
                            + std::to_string(std::max(from, to)));
  edges_.push_back({from, port, to});
}

std::optional<std::size_t> graph::find(std::string_view name) const {
  for (std::size_t i = 0; i < steps_.size(); ++i)
    if (steps_[i].name == name)
      return i;
  return std::nullopt;
}

std::vector<std::size_t> graph::sources() const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < steps_.size(); ++i)
    if (steps_[i].kind == step_kind::source)
      out.push_back(i);
  return out;
}

std::vector<std::size_t> graph::sinks() const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < steps_.size(); ++i)
    if (steps_[i].kind == step_kind::sink)
      out.push_back(i);
  return out;
}

std::vector<edge> graph::outputs(std::size_t step) const {
  std::vector<edge> out;
  for (auto& e : edges_)
    if (e.from == step)
      out.push_back(e);
  std::stable_sort(out.begin(), out.end(),
                   [](const edge& a, const edge& b) { return a.port < b.port; });
  return out;
}

std::optional<edge> graph::input(std::size_t step) const {
  for (auto& e : edges_)
    if (e.to == step)
      return e;
  return std::nullopt;
}

std::vector<std::string> graph::problems() const {
  std::vector<std::string> out;
  auto quote = [](const std::string& s) { return "'" + s + "'"; };
  if (sources().empty())
    out.push_back("pipeline " + quote(name_) + " has no source");

  std::set<std::string> seen;
  for (auto& s : steps_) {
    if (s.name.empty())
      out.push_back("a " + std::string(to_string(s.kind)) + " step has an empty name");
    else if (!seen.insert(s.name).second)
      out.push_back("step name " + quote(s.name) + " is used more than once");
  }

  std::vector<std::size_t> inputs(steps_.size());
  for (auto& e : edges_) {
    ++inputs[e.to];
    auto& from = steps_[e.from];
    if (e.port >= from.ports.size())
      out.push_back(quote(from.name) + " has no output port " + std::to_string(e.port) + " (to "
                    + quote(steps_[e.to].name) + ")");
  }
  for (std::size_t i = 0; i < steps_.size(); ++i) {
    auto& s = steps_[i];
    if (s.kind != step_kind::source && inputs[i] == 0)
      out.push_back("step " + quote(s.name) + " has no input");
    else if (inputs[i] > 1)
      out.push_back("step " + quote(s.name) + " has " + std::to_string(inputs[i])
                    + " inputs; a step reads from exactly one");
  }

  for (std::size_t i = 0; i < steps_.size(); ++i) {
    auto& s = steps_[i];
    std::map<std::size_t, std::vector<std::size_t>> by_port;
    for (auto& e : edges_)
      if (e.from == i)
        by_port[e.port].push_back(e.to);
    if (s.kind == step_kind::sink)
      continue;
    std::set<std::string> branch_names;
    for (std::size_t p = 0; p < s.ports.size(); ++p) {
      bool branching = s.kind == step_kind::router || s.kind == step_kind::broadcast;
      auto where = branching ? "branch " + quote(s.ports[p]) + " of " + quote(s.name)
                             : "step " + quote(s.name);
      if (branching && !branch_names.insert(s.ports[p]).second)
        out.push_back(quote(s.name) + " names branch " + quote(s.ports[p]) + " twice");
      auto& targets = by_port[p];
      if (targets.empty()) {
        out.push_back(where + " does not end in a sink");
      } else if (targets.size() > 1) {
        std::string names;
        for (auto t : targets)
          names += (names.empty() ? "" : ", ") + quote(steps_[t].name);
        out.push_back(where + " continues to more than one step (" + names
                      + "); use broadcast to send copies to several steps");
      }
      for (auto t : targets) {
        auto& next = steps_[t];
        if (next.kind == step_kind::source)
          out.push_back(quote(s.name) + " cannot feed the source " + quote(next.name));
        else if (s.output != next.input)
          out.push_back(quote(s.name) + " outputs " + s.output.name + " but " + quote(next.name)
                        + " expects " + next.input.name);
      }
    }
    if ((s.kind == step_kind::router || s.kind == step_kind::broadcast) && s.ports.empty())
      out.push_back(std::string(to_string(s.kind)) + " " + quote(s.name) + " has no branches");
    if (s.window)
      for (auto& problem : s.window->problems())
        out.push_back("reduce " + quote(s.name) + ": " + problem);
  }
  return out;
}

void graph::validate() const {
  auto p = problems();
  if (!p.empty())
    throw pipeline_error(std::move(p));
}

namespace {

void describe(const graph& g, std::size_t step, int depth, std::vector<bool>& seen,
              std::string& out) {
  auto& s = g.step(step);
  if (seen[step]) { // only an invalid graph gets here: don't loop forever
    out.append(static_cast<std::size_t>(depth) * 2, ' ');
    out += s.name + " (again)\n";
    return;
  }
  seen[step] = true;
  out.append(static_cast<std::size_t>(depth) * 2, ' ');
  out += s.name + " [" + std::string(to_string(s.kind));
  if (!s.detail.empty())
    out += ": " + s.detail;
  out += "]";
  if (!s.stream_name.empty())
    out += " stream=" + s.stream_name;
  out += "\n";
  auto outs = g.outputs(step);
  bool branching = s.kind == step_kind::router || s.kind == step_kind::broadcast;
  for (auto& e : outs) {
    if (branching) {
      out.append(static_cast<std::size_t>(depth + 1) * 2, ' ');
      out += "-> branch " + s.ports.at(e.port) + ":\n";
      describe(g, e.to, depth + 2, seen, out);
    } else {
      describe(g, e.to, depth, seen, out);
    }
  }
}

} // namespace

std::string graph::to_text() const {
  std::string out = "pipeline " + name_ + "\n";
  std::vector<bool> seen(steps_.size());
  for (auto src : sources())
    describe(*this, src, 1, seen, out);
  return out;
}

} // namespace streams
