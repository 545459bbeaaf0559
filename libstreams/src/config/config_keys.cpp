#include "streams/config/config_keys.hpp"

namespace streams::config {

namespace {

using s = key_section;
constexpr bool required = true;
constexpr bool optional = false;

} // namespace

const std::vector<config_key>& config_keys() {
  // The one table of keys: the loader's allowed and required keys, and docs/config.md.
  static const std::vector<config_key> keys = {
      {s::top, "env", "map", optional, "empty",
       "Free-form settings of the environment. Kept as data (every scalar under its dotted "
       "path), not interpreted by streams."},
      {s::top, "pipeline", "map", required, "",
       "How the pipeline is deployed: its segments and the runtime's options."},
      {s::top, "metrics", "map", optional, "`type: dummy`", "Where metrics are reported."},
      {s::top, "state_dir", "string", optional, "`streams-state`",
       "Where stateful steps (`reduce`) keep their state: an LMDB store in "
       "`<state_dir>/<pipeline name>`, a relative path being relative to the working "
       "directory; `:memory:` keeps it in memory, lost when the process ends. `streams run "
       "--state-dir` overrides it."},
      {s::top, "state_changelog", "map", optional, "none: state stays where it was written",
       "A Kafka topic to which every change of the state is also written, and from which a "
       "state store opened on another machine (a cluster node taking over, a process given "
       "another's partitions) restores it first (docs/concepts.md)."},
      {s::top, "drain_timeout_sec", "positive number", optional, "20",
       "How long a stop (SIGINT, SIGTERM) may take to finish what is in flight and deliver it. "
       "Past it `streams run` exits 1, having committed nothing past what was delivered. Also "
       "bounds how long Kafka sinks wait for their last delivery reports."},
      {s::top, "cluster", "map", optional, "none",
       "The nodes that segments are placed on (docs/deploy.md): with it `streams run` is the "
       "coordinator of those nodes and runs no step itself."},
      {s::top, "sentry_sdk_config", "map", optional, "none",
       "Accepted so that Sentry Streams' configs load, and ignored (the loader notes it for "
       "the log): streams reports errors through its log and dead letters."},

      {s::pipeline, "adapter_config", "map", optional, "none", "Options of the runtime."},
      {s::pipeline, "segments", "list", required, "",
       "The parts of the pipeline, each configuring the steps it names."},

      {s::adapter_config, "arroyo", "map", optional, "none",
       "Options named after Sentry Streams' Arroyo runtime, which streams honours."},

      {s::arroyo, "write_healthcheck", "boolean", optional, "false",
       "Touch `/tmp/health.txt` (`streams run --health-file` chooses another) every second "
       "while the pipeline is live: making progress, or idle with nothing to do; a step stuck "
       "in a call stops the touches."},
      {s::arroyo, "sentry_sdk_config", "map", optional, "none",
       "Accepted and ignored, as at the top level."},

      {s::segment, "steps_config", "map", required, "",
       "The settings of steps, by step name. Every name must be a step of the pipeline, "
       "configured in one segment only; what a step accepts depends on what it is (below)."},
      {s::segment, "parallelism", "positive integer", optional, "1",
       "The parallelism of the segment's steps that set none of their own: the steps it names "
       "in steps_config, and the steps after them in the pipeline that no segment names."},
      {s::segment, "nodes", "list of strings", optional, "none: this process",
       "The nodes of `cluster` that each run one replica of the segment. Required for every "
       "segment when there is a `cluster`, refused without one."},

      {s::any_step, "parallelism", "positive integer, or a map (below)", optional,
       "the segment's, else 1",
       "How many instances of the step run, each with its own operator (transform steps). "
       "Partition p of source s goes to instance (p + s) mod parallelism, so each partition "
       "keeps its order. A source or sink runs one instance (logged when this is above 1). "
       "Sentry Streams' form `{multi_process: {processes: N, ...}}` means N instances."},
      {s::any_step, "starts_segment", "boolean", optional, "false",
       "Accepted for Sentry Streams' configs; segments are what `pipeline.segments` lists."},

      {s::parallelism, "multi_process", "map", required, "",
       "Sentry Streams' process pool for the step; streams runs its `processes` as instances "
       "on threads of one process."},

      {s::multi_process, "processes", "positive integer", required, "",
       "How many instances of the step run."},
      {s::multi_process, "batch_size", "positive integer", optional, "the runtime's (512)",
       "The most messages the previous step sends one instance at once; fewer when credit "
       "allows no more."},
      {s::multi_process, "batch_time", "positive number", optional, "none",
       "Seconds: the longest a message waits for its batch to fill. Always met: a batch goes "
       "as soon as the instance has credit, full or not."},
      {s::multi_process, "input_block_size", "positive integer", optional, "none",
       "Accepted and ignored: the size of Sentry's shared-memory blocks, which streams, "
       "running every instance in one process, has no use for."},
      {s::multi_process, "output_block_size", "positive integer", optional, "none",
       "Accepted and ignored, as `input_block_size`."},
      {s::multi_process, "max_input_block_size", "positive integer", optional, "none",
       "Accepted and ignored, as `input_block_size`."},
      {s::multi_process, "max_output_block_size", "positive integer", optional, "none",
       "Accepted and ignored, as `input_block_size`."},

      {s::kafka_source, "bootstrap_servers", "list of strings", required, "",
       "The Kafka brokers, `host:port` each."},
      {s::kafka_source, "topic", "string", optional, "the source's stream name",
       "The topic the source reads."},
      {s::kafka_source, "consumer_group", "string", optional, "`pipeline-<step>`",
       "The consumer group of the source (the default is Sentry Streams')."},
      {s::kafka_source, "auto_offset_reset", "string: earliest, latest or error", optional,
       "`latest`",
       "Where to start in a partition that has no committed offset (the default is Sentry "
       "Streams': a new consumer group skips what the topic already holds)."},
      {s::kafka_source, "strict_offset_reset", "boolean", optional, "false",
       "True: `auto_offset_reset` applies only to partitions without a committed offset, and "
       "a committed offset that no longer exists in the partition stops the source with an "
       "error instead of silently skipping or replaying (Arroyo's strict offset reset). "
       "False: it applies to both."},
      {s::kafka_source, "connect_timeout_sec", "positive number", optional, "30",
       "A source that has never had a partition and whose brokers have all been unreachable "
       "for this long since it started stops the pipeline (exit 1, `kafka.unreachable`): a "
       "wrong address fails the run instead of waiting forever. Once it has had partitions it "
       "waits out any outage."},
      {s::kafka_source, "override_params", "map of strings", optional, "empty",
       "librdkafka consumer properties, applied last so that they win. Numbers and booleans "
       "are taken as written."},
      {s::kafka_source, "dlq", "map", optional, "none",
       "Where the source's messages that no step can process go (the dead-letter queue)."},
      {s::kafka_source, "on_invalid", "string: stop, drop or dlq", optional,
       "`dlq` with a `dlq` section, else `stop`",
       "What becomes of an invalid message derived from this source (a parser that cannot "
       "decode it, a step raising `invalid_message`, late data, a record the sink's broker "
       "refuses for good). `stop`: the pipeline fails, naming the step, partition and offset, "
       "with nothing committed past it (Sentry Streams' behaviour without a DLQ). `drop`: "
       "counted, logged and committed past. `dlq`: written to the `dlq` topic."},

      {s::dlq, "topic", "string", optional,
       "the DLQ stream name the pipeline gives the source, else its topic followed by `-dlq`",
       "The dead-letter topic."},
      {s::dlq, "bootstrap_servers", "list of strings", required, "",
       "The Kafka brokers of the dead-letter topic, `host:port` each."},
      {s::dlq, "override_params", "map of strings", optional, "empty",
       "librdkafka producer properties, applied last."},
      {s::dlq, "max_invalid_ratio", "number of at least 0", optional, "no limit",
       "arroyo's `DlqLimit`: per partition, invalid messages over valid ones (the offsets "
       "between them, counted from where this run started). Past it, or with no valid message "
       "yet, the pipeline stops with nothing committed past the message."},
      {s::dlq, "max_consecutive_count", "integer of at least 0", optional, "no limit",
       "arroyo's `DlqLimit`: per partition, invalid messages in a row. Past it the pipeline "
       "stops with nothing committed past the message."},

      {s::kafka_sink, "bootstrap_servers", "list of strings", required, "",
       "The Kafka brokers, `host:port` each."},
      {s::kafka_sink, "topic", "string", optional, "the sink's stream name",
       "The topic the sink writes."},
      {s::kafka_sink, "connect_timeout_sec", "positive number", optional, "30",
       "A sink that has messages to deliver while none of its brokers has ever answered, this "
       "long after it started, stops the pipeline (exit 1, `kafka.unreachable`) instead of "
       "waiting librdkafka's `message.timeout.ms` (300 s); nothing is committed past what was "
       "delivered. Once a broker has answered it waits out any outage."},
      {s::kafka_sink, "override_params", "map of strings", optional, "empty",
       "librdkafka producer properties, applied last so that they win."},

      {s::batch, "batch_size", "positive integer", optional, "the pipeline's",
       "The most messages in one batch."},
      {s::batch, "batch_timedelta", "map", optional, "the pipeline's",
       "The longest a batch waits after its first message, as a duration (below), rounded "
       "to milliseconds; must be positive."},

      {s::batch_timedelta, "weeks", "number", optional, "0", "Added to the duration."},
      {s::batch_timedelta, "days", "number", optional, "0", "Added to the duration."},
      {s::batch_timedelta, "hours", "number", optional, "0", "Added to the duration."},
      {s::batch_timedelta, "minutes", "number", optional, "0", "Added to the duration."},
      {s::batch_timedelta, "seconds", "number", optional, "0", "Added to the duration."},
      {s::batch_timedelta, "milliseconds", "number", optional, "0", "Added to the duration."},
      {s::batch_timedelta, "microseconds", "number", optional, "0", "Added to the duration."},

      {s::devnull_sink, "batch_size", "positive integer", optional, "no batching",
       "Messages per simulated flush."},
      {s::devnull_sink, "batch_time_ms", "positive number", optional, "no batching",
       "The longest time between simulated flushes, in milliseconds."},
      {s::devnull_sink, "average_sleep_time_ms", "positive number", optional, "no sleep",
       "How long a simulated flush sleeps on average, in milliseconds; needs "
       "`max_sleep_time_ms`."},
      {s::devnull_sink, "max_sleep_time_ms", "positive number", optional, "no sleep",
       "The longest a simulated flush sleeps, in milliseconds; at least "
       "`average_sleep_time_ms`."},

      {s::metrics, "type", "string: dummy, log, datadog or prometheus", required, "",
       "The metrics backend; the keys it takes follow."},

      {s::log_metrics, "period_sec", "positive number", optional, "10",
       "Seconds between two reports in the log."},
      {s::log_metrics, "tags", "map of strings", optional, "empty", "Tags added to every metric."},

      {s::datadog_metrics, "host", "string", required, "", "The DogStatsD agent's host."},
      {s::datadog_metrics, "port", "port number", required, "", "The DogStatsD agent's UDP port."},
      {s::datadog_metrics, "tags", "map of strings", optional, "empty",
       "Tags added to every metric."},
      {s::datadog_metrics, "udp_queue_size", "integer of at least 0", optional, "none",
       "Accepted for Sentry Streams' configs; each flush sends its datagrams at once."},
      {s::datadog_metrics, "flush_interval_ms", "positive integer", optional, "10000",
       "Milliseconds between two flushes of the metrics to the agent."},

      {s::prometheus_metrics, "host", "string", optional, "127.0.0.1",
       "The address the `/metrics` endpoint listens on."},
      {s::prometheus_metrics, "port", "port number", optional, "9464",
       "The port of the `/metrics` endpoint (not 9090, Prometheus' own)."},
      {s::prometheus_metrics, "tags", "map of strings", optional, "empty",
       "Labels added to every metric."},

      {s::cluster, "nodes", "map of strings", required, "",
       "The nodes by name, each `HOST:PORT` where its `streams node --listen` listens."},
      {s::cluster, "secret", "string of at least 16 characters", required, "",
       "What the coordinator and the nodes prove to each other that they know before any "
       "work is given (HMAC-SHA256 challenges; the secret itself never crosses the network "
       "nor reaches a log). Write it as `${envvar:STREAMS_CLUSTER_SECRET}`."},
      {s::cluster, "heartbeat_ms", "positive integer", optional, "500",
       "Milliseconds between two heartbeats on every connection between nodes."},
      {s::cluster, "node_timeout_ms", "positive integer", optional, "3000",
       "A node silent for this long (killed, frozen, cut off) is taken for dead: the "
       "pipeline restarts on the nodes left."},
      {s::cluster, "tls", "map", optional, "none: plain TCP",
       "Connections between the coordinator and the nodes, and between nodes, over TLS "
       "(CAF's openssl module); every node is started with the same files "
       "(`streams node --tls-certificate ...`)."},

      {s::cluster_tls, "certificate", "string", required, "",
       "This process's certificate (PEM), signed by `ca_file`."},
      {s::cluster_tls, "key", "string", required, "", "Its private key (PEM)."},
      {s::cluster_tls, "ca_file", "string", required, "",
       "The certificate authority (PEM) that must have signed a peer's certificate: a peer "
       "without one it signed is refused during the handshake."},

      {s::state_changelog, "bootstrap_servers", "list of strings", required, "",
       "The Kafka brokers (`[embedded]`: the embedded broker, as for steps)."},
      {s::state_changelog, "topic", "string", optional, "`<pipeline name>-state-changelog`",
       "The topic. Only its partition 0 is used. It must exist (or the brokers create it on "
       "first use) and keep every record: `retention.ms=-1`, not compacted."},
      {s::state_changelog, "timeout_sec", "positive number", optional, "30",
       "How long restoring (reading the topic) and each write of the state may wait for the "
       "brokers before the pipeline stops with an error, committing nothing past durable "
       "state."},
      {s::state_changelog, "override_params", "map of strings", optional, "empty",
       "librdkafka properties for the changelog's producer and reader (security settings, "
       "...)."},
  };
  return keys;
}

std::vector<std::string_view> key_names(key_section section) {
  std::vector<std::string_view> out;
  for (auto& k : config_keys())
    if (k.section == section)
      out.push_back(k.name);
  return out;
}

std::string_view section_path(key_section section) {
  switch (section) {
    case s::top: return "Top level";
    case s::pipeline: return "pipeline";
    case s::adapter_config: return "pipeline.adapter_config";
    case s::arroyo: return "pipeline.adapter_config.arroyo";
    case s::segment: return "pipeline.segments[]";
    case s::parallelism: return "pipeline.segments[].steps_config.<step>.parallelism";
    case s::multi_process:
      return "pipeline.segments[].steps_config.<step>.parallelism.multi_process";
    case s::any_step:
    case s::kafka_source:
    case s::kafka_sink:
    case s::batch:
    case s::devnull_sink: return "pipeline.segments[].steps_config.<step>";
    case s::dlq: return "pipeline.segments[].steps_config.<step>.dlq";
    case s::batch_timedelta: return "pipeline.segments[].steps_config.<step>.batch_timedelta";
    case s::metrics:
    case s::log_metrics:
    case s::datadog_metrics:
    case s::prometheus_metrics: return "metrics";
    case s::cluster: return "cluster";
    case s::cluster_tls: return "cluster.tls";
    case s::state_changelog: return "state_changelog";
  }
  return "";
}

std::string_view section_title(key_section section) {
  switch (section) {
    case s::top: return "The document: a map.";
    case s::pipeline: return "The deployment of the pipeline.";
    case s::adapter_config: return "Options of the runtime.";
    case s::arroyo: return "Runtime options under the name Sentry Streams gives them.";
    case s::segment: return "Each element of `segments`.";
    case s::any_step: return "Every step.";
    case s::parallelism: return "A step's `parallelism` written as a map, as Sentry Streams does.";
    case s::multi_process: return "Sentry Streams' process pool of a step.";
    case s::kafka_source:
      return "A source whose connector is `kafka`, besides the keys of every step.";
    case s::dlq: return "The dead-letter queue of a Kafka source.";
    case s::kafka_sink: return "A sink whose connector is `kafka`, besides the keys of every step.";
    case s::batch: return "A batch step, besides the keys of every step.";
    case s::batch_timedelta:
      return "A duration: the sum of the values given, as Python's `timedelta(**values)`.";
    case s::devnull_sink:
      return "A sink whose connector is `devnull`, besides the keys of every step.";
    case s::metrics: return "Where metrics go.";
    case s::log_metrics: return "With `type: log`.";
    case s::datadog_metrics: return "With `type: datadog`.";
    case s::prometheus_metrics: return "With `type: prometheus`.";
    case s::cluster: return "The nodes of a pipeline that runs on several (docs/deploy.md).";
    case s::cluster_tls: return "TLS between the processes of the cluster.";
    case s::state_changelog: return "Where stateful steps' state is replicated.";
  }
  return "";
}

std::string config_reference_markdown() {
  std::string out;
  auto& keys = config_keys();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    auto& k = keys[i];
    if (i == 0 || k.section != keys[i - 1].section) {
      auto path = std::string(section_path(k.section));
      if (k.section != s::top)
        path = "`" + path + "`";
      out += std::string(i == 0 ? "" : "\n") + "### " + path + ": "
             + std::string(section_title(k.section)) + "\n\n"
             + "| Key | Type | Default | Meaning |\n|---|---|---|---|\n";
    }
    auto default_value = k.required ? std::string("**required**") : std::string(k.default_value);
    out += "| `" + std::string(k.name) + "` | " + std::string(k.type) + " | " + default_value
           + " | " + std::string(k.description) + " |\n";
  }
  return out;
}

} // namespace streams::config
