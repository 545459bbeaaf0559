#include "streams/execution_plan.hpp"

#include "streams/error.hpp"

#include <algorithm>
#include <set>

namespace streams {

namespace {

bool is_transform(step_kind k) { return k != step_kind::source && k != step_kind::sink; }

/// The segment of each step: its own when the placement names it, else its upstream's.
std::vector<std::size_t> segments_of(const graph& g, const placement& where,
                                     std::vector<std::string>& problems) {
  for (auto& [name, segment] : where.segment_of)
    if (!g.find(name))
      problems.push_back("the placement names step '" + name
                         + "', which the pipeline does not have");
  auto& steps = g.steps();
  std::vector<std::optional<std::size_t>> segment(steps.size());
  // Steps are added after the step they hang off, so one pass in order sees upstream first;
  // the lookup still follows the edges so that no order is assumed.
  std::function<std::size_t(std::size_t)> of = [&](std::size_t i) -> std::size_t {
    if (segment[i])
      return *segment[i];
    if (auto it = where.segment_of.find(steps[i].name); it != where.segment_of.end())
      segment[i] = it->second;
    else if (auto in = g.input(i))
      segment[i] = of(in->from);
    else
      segment[i] = 0;
    return *segment[i];
  };
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < steps.size(); ++i)
    out.push_back(of(i));
  return out;
}

/// Why segment `only` cannot run by itself: the edges joining it to other segments.
void check_alone(const graph& g, const std::vector<std::size_t>& segment, std::size_t only,
                 std::size_t segments, std::vector<std::string>& problems) {
  auto name = [](std::size_t s) { return "segment " + std::to_string(s); };
  if (only >= segments) {
    problems.push_back(name(only) + " is not in the pipeline, which has " + std::to_string(segments)
                       + " segment(s)");
    return;
  }
  for (auto& e : g.edges()) {
    auto& from = g.step(e.from).name;
    auto& to = g.step(e.to).name;
    if (segment[e.to] == only && segment[e.from] != only)
      problems.push_back(name(only) + " starts at step '" + to + "', which reads from step '" + from
                         + "' of " + name(segment[e.from])
                         + ": run it in a cluster, or start the segment at a source");
    else if (segment[e.from] == only && segment[e.to] != only)
      problems.push_back(name(only) + " sends from step '" + from + "' to step '" + to + "' of "
                         + name(segment[e.to])
                         + ", which would not run: run the pipeline in a cluster, or end the "
                           "segment at sinks");
  }
}

} // namespace

execution_plan::execution_plan(const graph& g, const placement& where) : g_(&g) {
  std::vector<std::string> problems;
  auto segment = segments_of(g, where, problems);
  segments_ = std::max<std::size_t>(1, where.nodes.size());
  for (auto s : segment)
    segments_ = std::max(segments_, s + 1);
  for (std::size_t s = 0; s < where.nodes.size(); ++s) {
    std::set<std::string> seen;
    for (auto& node : where.nodes[s]) {
      if (node.empty())
        problems.push_back("segment " + std::to_string(s) + " names a node without a name");
      else if (!seen.insert(node).second)
        problems.push_back("segment " + std::to_string(s) + " names node '" + node + "' twice");
    }
  }
  if (where.only_segment)
    check_alone(g, segment, *where.only_segment, segments_, problems);
  if (!problems.empty())
    throw pipeline_error(std::move(problems));

  auto& steps = g.steps();
  of_step_.resize(steps.size());
  for (std::size_t i = 0; i < steps.size(); ++i) {
    auto s = segment[i];
    if (where.only_segment && s != *where.only_segment)
      continue;
    std::vector<std::string> nodes{""};
    if (s < where.nodes.size() && !where.nodes[s].empty())
      nodes = where.nodes[s];
    auto per_node =
        is_transform(steps[i].kind) ? std::max<std::size_t>(1, steps[i].parallelism) : 1;
    for (auto& node : nodes)
      for (std::size_t k = 0; k < per_node; ++k) {
        of_step_[i].push_back(instances_.size());
        instances_.push_back({i, of_step_[i].size() - 1, s, node, std::nullopt});
      }
  }
  for (auto& e : g.edges())
    if (crosses_nodes(e) && !steps[e.from].output_codec)
      problems.push_back("step '" + steps[e.from].name + "' sends " + steps[e.from].output.name
                         + " to '" + steps[e.to].name + "' on another node, and "
                         + steps[e.from].output.name
                         + " has no wire form: place both in one segment, or send bytes, JSON, "
                           "numbers, strings, containers of them, windowed results or a type "
                           "with save and load");
  if (!problems.empty())
    throw pipeline_error(std::move(problems));
  // Sources first, so that a source's ack index is its index among the sources.
  for (bool sources : {true, false})
    for (std::size_t n = 0; n < instances_.size(); ++n) {
      auto kind = steps[instances_[n].step].kind;
      if (sources ? kind == step_kind::source : stateful(kind)) {
        instances_[n].ack_index = static_cast<std::uint32_t>(ack_targets_.size());
        ack_targets_.push_back(n);
      }
    }
}

std::vector<std::uint32_t> execution_plan::closes_to(std::size_t n) const {
  std::set<std::size_t> upstream; // the steps instance n's step hangs off, directly or not
  for (auto in = g_->input(instances_.at(n).step); in; in = g_->input(in->from))
    upstream.insert(in->from);
  std::vector<std::uint32_t> out;
  for (std::size_t a = 0; a < ack_targets_.size(); ++a) {
    auto step = instances_[ack_targets_[a]].step;
    if (g_->step(step).kind == step_kind::source || upstream.count(step))
      out.push_back(static_cast<std::uint32_t>(a));
  }
  return out;
}

spread execution_plan::spread_of(const edge& e) const {
  if (of_step_.at(e.to).size() <= 1)
    return spread::one;
  return g_->step(e.to).group_key ? spread::by_key : spread::by_partition;
}

bool execution_plan::node_local(const edge& e) const {
  return instances_[of_step_.at(e.from).front()].segment
             == instances_[of_step_.at(e.to).front()].segment
         && !g_->step(e.to).group_key;
}

std::vector<std::size_t> execution_plan::targets(std::size_t n, const edge& e) const {
  auto& from = instances_.at(n);
  auto local = node_local(e);
  std::vector<std::size_t> out;
  for (auto m : of_step_.at(e.to))
    if (!local || instances_[m].node == from.node)
      out.push_back(m);
  return out;
}

std::size_t execution_plan::feeders(std::size_t n, const edge& e) const {
  auto& to = instances_.at(n);
  auto local = node_local(e);
  std::size_t count = 0;
  for (auto m : of_step_.at(e.from))
    if (!local || instances_[m].node == to.node)
      ++count;
  return count;
}

bool execution_plan::crosses_nodes(const edge& e) const {
  if (of_step_.at(e.from).empty() || of_step_.at(e.to).empty())
    return false; // another segment's edge, under `only_segment`
  if (node_local(e))
    return false; // see targets()
  std::set<std::string> nodes;
  for (auto step : {e.from, e.to})
    for (auto n : of_step_.at(step))
      nodes.insert(instances_[n].node);
  return nodes.size() > 1;
}

std::vector<std::string> execution_plan::nodes() const {
  std::set<std::string> all;
  for (auto& i : instances_)
    if (!i.node.empty())
      all.insert(i.node);
  return {all.begin(), all.end()};
}

} // namespace streams
