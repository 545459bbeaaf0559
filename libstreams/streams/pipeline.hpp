#pragma once

#include "streams/error.hpp"
#include "streams/graph.hpp"
#include "streams/json.hpp"
#include "streams/payload_type_name.hpp"
#include "streams/steps/batch_step.hpp"
#include "streams/steps/filter_step.hpp"
#include "streams/steps/flat_map_step.hpp"
#include "streams/steps/header_filter_step.hpp"
#include "streams/steps/json_parser_step.hpp"
#include "streams/steps/keyed_state_step.hpp"
#include "streams/steps/map_step.hpp"
#include "streams/steps/reduce_step.hpp"
#include "streams/steps/router_step.hpp"
#include "streams/wire.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace streams {

/// How to make a source whose messages carry payloads of type `T`.
template <class T>
struct source_spec {
  std::string stream_name;
  std::string detail;
  source_factory make;
  std::string connector = "memory"; ///< what kind of source: memory, file, stdin, kafka
  /// Where the source's invalid messages go, as Sentry Streams' `dlq_stream_name`: the
  /// default topic of the config's `dlq`. Empty: the source's topic followed by "-dlq".
  std::string dlq_stream_name = {};
};

/// How to make a sink that takes payloads of type `T`.
template <class T>
struct sink_spec {
  std::string stream_name;
  std::string detail;
  sink_factory make;
  std::string connector = "memory"; ///< what kind of sink: memory, file, stdout, devnull, kafka
};

template <class T>
class stream;
template <class T>
class branches;

namespace detail {

/// Calls a user function with the payload, and the whole message when it asks for it.
template <class T, class F>
decltype(auto) call(F& f, const message& m) {
  if constexpr (std::is_invocable_v<F&, const T&, const message&>)
    return f(m.payload<T>(), m);
  else
    return f(m.payload<T>());
}

template <class T, class F>
using call_result_t =
    std::decay_t<decltype(call<T>(std::declval<F&>(), std::declval<const message&>()))>;

template <class V>
struct is_vector : std::false_type {};
template <class V>
struct is_vector<std::vector<V>> : std::true_type {};

} // namespace detail

/// A pipeline under construction: the entry point of the dataflow API.
///
///     streams::pipeline p("example");
///     p.source("in", sources::memory<bytes>({"a", "b"}))
///         .map("upper", [](const bytes& s) { return to_upper(s); })
///         .sink("out", sinks::stdout_lines());
///
/// Every step has a unique name. Each handle (`stream<T>`) continues exactly once; use
/// `broadcast` to send copies to several steps and `route` to send each message to one.
class pipeline {
public:
  explicit pipeline(std::string name) : g_(std::make_unique<streams::graph>(std::move(name))) {}

  template <class T>
  stream<T> source(std::string name, source_spec<T> spec);

  const streams::graph& graph() const { return *g_; }
  streams::graph& graph() { return *g_; }
  /// Throws `pipeline_error` listing every problem of the topology.
  void validate() const { g_->validate(); }
  std::string to_text() const { return g_->to_text(); }

private:
  std::unique_ptr<streams::graph> g_; // on the heap: handles keep pointing at it when moved
};

/// The output of a step, carrying payloads of type `T`; add the next step to it.
template <class T>
class stream {
public:
  stream(graph* g, std::size_t step, std::size_t port) : g_(g), step_(step), port_(port) {}

  /// `f(const T&)` or `f(const T&, const message&)` returns the new payload.
  template <class F>
  auto map(std::string name, F f) {
    using U = detail::call_result_t<T, F>;
    static_assert(!std::is_void_v<U>, "a map function must return the new payload");
    return then<U>(step_kind::map, std::move(name), "", [f]() mutable {
      return std::make_unique<map_step>(
          [f](const message& m) mutable -> value { return detail::call<T>(f, m); });
    });
  }

  /// Keeps the messages for which `pred` returns true.
  template <class F>
  stream<T> filter(std::string name, F pred) {
    static_assert(std::is_convertible_v<detail::call_result_t<T, F>, bool>,
                  "a filter predicate must return bool");
    return then<T>(step_kind::filter, std::move(name), "", [pred]() mutable {
      return std::make_unique<filter_step>(
          [pred](const message& m) mutable -> bool { return detail::call<T>(pred, m); });
    });
  }

  /// `f` returns a `std::vector<U>`: zero, one or many outputs per input.
  template <class F>
  auto flat_map(std::string name, F f) {
    using V = detail::call_result_t<T, F>;
    static_assert(detail::is_vector<V>::value, "a flat_map function must return a std::vector");
    using U = typename V::value_type;
    return then<U>(step_kind::flat_map, std::move(name), "", [f]() mutable {
      return std::make_unique<flat_map_step>([f](const message& m) mutable {
        auto results = detail::call<T>(f, m);
        std::vector<value> out;
        out.reserve(results.size());
        for (auto& r : results)
          out.emplace_back(std::move(r));
        return out;
      });
    });
  }

  /// Keeps a message when header `header` holds the integer `value`.
  stream<T> filter_header(std::string name, std::string header, std::int64_t value) {
    auto detail = header + " == " + std::to_string(value);
    return then<T>(step_kind::header_filter, std::move(name), detail,
                   [header, value] { return std::make_unique<header_filter_step>(header, value); });
  }

  stream<json> parse_json(std::string name) {
    static_assert(std::is_same_v<T, bytes>, "parse_json reads bytes");
    return then<json>(step_kind::parser, std::move(name), "json",
                      [] { return std::make_unique<json_parser_step>(); });
  }

  stream<bytes> serialize_json(std::string name) {
    static_assert(std::is_same_v<T, json> || std::is_same_v<T, std::vector<json>>,
                  "serialize_json writes json or a batch of json");
    return then<bytes>(step_kind::serializer, std::move(name), "json",
                       [] { return std::make_unique<json_serializer_step>(); });
  }

  /// One output holding up to `max_messages` payloads, emitted when full or `max_wait`
  /// after its first input.
  stream<std::vector<T>> batch(std::string name, std::size_t max_messages,
                               std::chrono::milliseconds max_wait) {
    auto limits = std::make_shared<batch_limits>(batch_limits{max_messages, max_wait});
    auto detail =
        std::to_string(max_messages) + " messages or " + std::to_string(max_wait.count()) + " ms";
    auto node = make_node<std::vector<T>>(step_kind::batch, std::move(name), detail, [limits] {
      return std::make_unique<batch_step>(limits->max_messages, limits->max_wait,
                                          [](std::vector<message>& in) {
                                            std::vector<T> out;
                                            out.reserve(in.size());
                                            for (auto& m : in)
                                              out.push_back(std::move(m.template payload<T>()));
                                            return value(std::move(out));
                                          });
    });
    node.batch = limits;
    return stream<std::vector<T>>(g_, attach(std::move(node)), 0);
  }

  /// Aggregates windows of messages with accumulator `A` (see streams/windows/accumulator.hpp),
  /// one per window and per group-by key (`key(const T&)`, or `key(const T&, const message&)`,
  /// returns something convertible to std::string). Emits a `windowed<R>` per complete window
  /// and key that received anything, `R` being what `A::result()` returns. The state lives
  /// in the platform's state store and survives restarts (docs/concepts.md).
  ///
  ///     .reduce<accumulators::count<word>>("counts", windows::tumbling(60s).event_time(5s),
  ///                                        [](const word& w) { return w.text; })
  template <class A, class F>
  auto reduce(std::string name, window_spec window, F key) {
    using R = std::decay_t<decltype(std::declval<const A&>().result())>;
    auto spec = std::make_shared<window_spec>(window);
    std::function<std::string(const message&)> key_of = [key](const message& m) mutable {
      return std::string(detail::call<T>(key, m));
    };
    auto node = make_node<windowed<R>>(
        step_kind::reduce, std::move(name), window.describe(), [spec, key_of] {
          return std::make_unique<reduce_step>(*spec, reduce_functions_for<A, T>(key_of));
        });
    node.window = spec;
    node.group_key = key_of;
    return stream<windowed<R>>(g_, attach(std::move(node)), 0);
  }

  /// The same over all messages, as one group (its key is empty). With parallelism, every
  /// message goes to the first instance.
  template <class A>
  auto reduce(std::string name, window_spec window) {
    using R = std::decay_t<decltype(std::declval<const A&>().result())>;
    auto spec = std::make_shared<window_spec>(window);
    auto node =
        make_node<windowed<R>>(step_kind::reduce, std::move(name), window.describe(), [spec] {
          return std::make_unique<reduce_step>(*spec, reduce_functions_for<A, T>(nullptr));
        });
    node.window = spec;
    return stream<windowed<R>>(g_, attach(std::move(node)), 0);
  }

  /// A map with per-key state kept by the platform: `f(const T&, keyed_state<S>&)` returns the
  /// new payload and may read, put or erase the state of the message's key (`key(const T&)`,
  /// or with the message too). State and outputs survive crashes exactly as a reduce's do; the
  /// output type needs `codec::encode`/`decode` (outputs not yet delivered are kept in the
  /// store). With parallelism, messages are routed by key.
  ///
  ///     .stateful_map<std::int64_t>("running_total", user_of, [](const event& e,
  ///     keyed_state<std::int64_t>& t) {
  ///       auto sum = t.get_or(0) + e.amount;
  ///       t.put(sum);
  ///       return sum;
  ///     })
  template <class S, class K, class F>
  auto stateful_map(std::string name, K key, F f) {
    using U = std::decay_t<std::invoke_result_t<F&, const T&, keyed_state<S>&>>;
    static_assert(!std::is_void_v<U>, "a stateful_map function must return the new payload");
    std::function<std::string(const message&)> key_of = [key](const message& m) mutable {
      return std::string(detail::call<T>(key, m));
    };
    auto node = make_node<U>(step_kind::stateful_map, std::move(name), "keyed state",
                             [key_of, f]() mutable {
                               keyed_state_functions fs;
                               fs.key = key_of;
                               fs.apply = [f](const message& m, state_cell& c) mutable -> value {
                                 keyed_state<S> state(c);
                                 return f(m.payload<T>(), state);
                               };
                               fs.save_output = [](const value& v, std::string& out) {
                                 codec::encode(out, *v.get_if<U>());
                               };
                               fs.load_output = [](std::string_view in) -> value {
                                 U u{};
                                 codec::decode(in, u);
                                 return u;
                               };
                               return std::make_unique<keyed_state_step>(std::move(fs));
                             });
    node.group_key = key_of;
    return stream<U>(g_, attach(std::move(node)), 0);
  }

  /// Sends each message to the one branch whose name `key` returns.
  template <class F>
  branches<T> route(std::string name, std::vector<std::string> branch_names, F key) {
    auto node = make_node<T>(step_kind::router, std::move(name), "", [branch_names, key]() mutable {
      return std::make_unique<router_step>(branch_names, [key](const message& m) mutable {
        return std::string(detail::call<T>(key, m));
      });
    });
    node.ports = branch_names;
    return branches<T>(g_, attach(std::move(node)));
  }

  /// Sends an independent copy of each message to every branch.
  branches<T> broadcast(std::string name, std::vector<std::string> branch_names) {
    auto n = branch_names.size();
    auto node = make_node<T>(step_kind::broadcast, std::move(name), "",
                             [n] { return std::make_unique<broadcast_step>(n); });
    node.ports = std::move(branch_names);
    return branches<T>(g_, attach(std::move(node)));
  }

  /// Ends this branch in a sink.
  void sink(std::string name, sink_spec<T> spec) {
    step_node node;
    node.name = std::move(name);
    node.kind = step_kind::sink;
    node.input = payload_type_of<T>();
    node.output = payload_type_of<void>();
    node.detail = std::move(spec.detail);
    node.stream_name = std::move(spec.stream_name);
    node.connector = std::move(spec.connector);
    node.make_sink = std::move(spec.make);
    attach(std::move(node));
  }

private:
  template <class U, class Make>
  step_node make_node(step_kind kind, std::string name, std::string detail, Make make) {
    step_node node;
    node.name = std::move(name);
    node.kind = kind;
    node.input = payload_type_of<T>();
    node.output = payload_type_of<U>();
    node.output_codec = payload_codec_of<U>();
    node.ports = {""};
    node.detail = std::move(detail);
    node.make_operator = [make]() mutable -> std::unique_ptr<step_operator> { return make(); };
    return node;
  }

  std::size_t attach(step_node node) {
    auto idx = g_->add(std::move(node));
    g_->connect(step_, port_, idx);
    return idx;
  }

  template <class U, class Make>
  stream<U> then(step_kind kind, std::string name, std::string detail, Make make) {
    return stream<U>(g_, attach(make_node<U>(kind, std::move(name), std::move(detail), make)), 0);
  }

  graph* g_;
  std::size_t step_;
  std::size_t port_;
};

/// The branches of a router or broadcast step.
template <class T>
class branches {
public:
  branches(graph* g, std::size_t step) : g_(g), step_(step) {}

  /// The stream of branch `name`; throws `pipeline_error` if the step has no such branch.
  stream<T> branch(const std::string& name) const {
    auto& ports = g_->step(step_).ports;
    for (std::size_t i = 0; i < ports.size(); ++i)
      if (ports[i] == name)
        return stream<T>(g_, step_, i);
    throw pipeline_error({"'" + g_->step(step_).name + "' has no branch '" + name + "'"});
  }

private:
  graph* g_;
  std::size_t step_;
};

template <class T>
stream<T> pipeline::source(std::string name, source_spec<T> spec) {
  step_node node;
  node.name = std::move(name);
  node.kind = step_kind::source;
  node.input = payload_type_of<void>();
  node.output = payload_type_of<T>();
  node.output_codec = payload_codec_of<T>();
  node.ports = {""};
  node.detail = std::move(spec.detail);
  node.stream_name = std::move(spec.stream_name);
  node.connector = std::move(spec.connector);
  node.dlq_stream_name = std::move(spec.dlq_stream_name);
  node.make_source = std::move(spec.make);
  return stream<T>(g_.get(), g_->add(std::move(node)), 0);
}

} // namespace streams
