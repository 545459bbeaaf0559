#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace streams::config {

/// Where in a deployment config a key may appear. Steps' keys are split by what the step is
/// in the pipeline: every step takes `any_step`'s keys, a Kafka source `kafka_source`'s too.
enum class key_section {
  top,
  pipeline,
  adapter_config,
  arroyo,
  segment,
  any_step,
  parallelism,
  multi_process,
  kafka_source,
  dlq,
  kafka_sink,
  batch,
  batch_timedelta,
  devnull_sink,
  metrics,
  log_metrics,
  datadog_metrics,
  prometheus_metrics,
  cluster,
  cluster_tls,
  state_changelog,
};

/// One key of the deployment config. The table of them (`config_keys`) is the one place
/// keys are declared: the loader takes from it which keys are allowed and which required,
/// and docs/config.md is generated from it (`config_reference_markdown`), so the reference
/// cannot miss a key the loader accepts.
struct config_key {
  key_section section;
  std::string_view name;
  std::string_view type;          ///< "list of strings", "positive integer", ...
  bool required;                  ///< an error when absent
  std::string_view default_value; ///< what absence means; empty for required keys
  std::string_view description;
};

/// Every key, in the order of the reference.
const std::vector<config_key>& config_keys();

/// The keys allowed in `section`, in table order.
std::vector<std::string_view> key_names(key_section section);

/// The place of the section as the reference shows it: "pipeline.segments[].steps_config.<step>".
std::string_view section_path(key_section section);

/// What the section is for, one sentence, for the reference.
std::string_view section_title(key_section section);

/// The key reference in Markdown: one table per section. docs/config.md holds it between
/// the lines `<!-- BEGIN GENERATED KEYS -->` and `<!-- END GENERATED KEYS -->`.
std::string config_reference_markdown();

} // namespace streams::config
