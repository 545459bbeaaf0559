#pragma once

#include "streams/invalid_policy.hpp"
#include "streams/sink.hpp"
#include "streams/source.hpp"
#include "streams/step_operator.hpp"
#include "streams/windows/window.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <typeindex>
#include <vector>

namespace streams {

struct payload_codec;

enum class step_kind {
  source,
  map,
  filter,
  flat_map,
  header_filter,
  parser,
  serializer,
  batch,
  reduce,
  stateful_map,
  router,
  broadcast,
  sink,
};

std::string_view to_string(step_kind k);

/// A payload type as the graph knows it: for comparison and for error messages.
struct payload_type {
  std::type_index id = typeid(void);
  std::string name;

  friend bool operator==(const payload_type& a, const payload_type& b) { return a.id == b.id; }
  friend bool operator!=(const payload_type& a, const payload_type& b) { return !(a == b); }
};

using operator_factory = std::function<std::unique_ptr<step_operator>()>;
using source_factory = std::function<std::unique_ptr<source>()>;
using sink_factory = std::function<std::unique_ptr<sink>()>;

/// The limits of a batch step, shared with its operator factory so that a deployment config
/// can change them before the pipeline runs.
struct batch_limits {
  std::size_t max_messages = 1;
  std::chrono::milliseconds max_wait{0};
};

/// One step of a pipeline, as plain data. Exactly one of the factories is set, by kind.
struct step_node {
  std::string name;
  step_kind kind = step_kind::map;
  payload_type input;  ///< void for sources
  payload_type output; ///< void for sinks
  /// How the step's outputs cross to another node (streams/wire.hpp); null when its output
  /// type has no wire form, which keeps its successors on its node.
  const payload_codec* output_codec = nullptr;
  /// Output ports: one unnamed port for ordinary steps, one per branch for router and
  /// broadcast, none for sinks.
  std::vector<std::string> ports;
  std::string detail;      ///< what the step does, for the topology text ("3 messages or 100 s")
  std::string stream_name; ///< sources and sinks: the stream they read or write
  std::string connector;   ///< sources and sinks: what they talk to (kafka, file, ...)
  std::string dlq_stream_name; ///< sources: the stream of their invalid messages, if named
  operator_factory make_operator;
  std::shared_ptr<batch_limits> batch; ///< batch steps only
  std::shared_ptr<window_spec> window; ///< reduce steps only; shared with the operator factory
  /// Keyed steps (reduce with a group-by): the key of a message. With parallelism the
  /// previous step sends each message to the instance its key hashes to (`key_hash`), so that
  /// each key's state lives in one instance.
  std::function<std::string(const message&)> group_key;
  /// How many instances of a transform step run, each with its own operator; partition p of
  /// source s goes to instance (p + s) mod parallelism, so each partition keeps its order
  /// (keyed steps: by key, so each key keeps its order).
  /// Sources and sinks run one instance.
  std::size_t parallelism = 1;
  /// The most messages the previous step sends one instance at once (a Sentry config's
  /// `multi_process.batch_size`); 0: the runtime's `max_batch`. Less lowers the latency of a
  /// slow step's instances at the cost of more, smaller batches.
  std::size_t max_batch_in = 0;
  source_factory make_source;
  sink_factory make_sink;
  /// Sources: what becomes of the invalid messages that derive from this source, whichever
  /// step rejects them; unset, the runtime's `runtime_options::on_invalid`.
  std::optional<invalid_policy> on_invalid;
};

/// A connection from one output port of a step to the input of another.
struct edge {
  std::size_t from = 0;
  std::size_t port = 0;
  std::size_t to = 0;
};

/// The topology of a pipeline: steps and the edges between them. Built by `pipeline`
/// (stream.hpp) or directly; executed by a runtime. Plain data: no execution state.
class graph {
public:
  explicit graph(std::string name) : name_(std::move(name)) {}

  const std::string& name() const { return name_; }
  const std::vector<step_node>& steps() const { return steps_; }
  const std::vector<edge>& edges() const { return edges_; }
  const step_node& step(std::size_t i) const { return steps_.at(i); }
  /// For binding a deployment config: connectors and limits may change, the topology not.
  step_node& step(std::size_t i) { return steps_.at(i); }

  std::size_t add(step_node node);
  void connect(std::size_t from, std::size_t port, std::size_t to);

  std::optional<std::size_t> find(std::string_view name) const;
  std::vector<std::size_t> sources() const;
  std::vector<std::size_t> sinks() const;
  /// The edges leaving `step`, ordered by port.
  std::vector<edge> outputs(std::size_t step) const;
  std::optional<edge> input(std::size_t step) const;

  /// Everything wrong with the graph, one line each, naming the steps concerned.
  std::vector<std::string> problems() const;
  /// Throws `pipeline_error` listing `problems()` unless there are none.
  void validate() const;

  /// A readable text form of the topology, one step per line, branches indented.
  std::string to_text() const;

private:
  std::string name_;
  std::vector<step_node> steps_;
  std::vector<edge> edges_;
};

} // namespace streams
