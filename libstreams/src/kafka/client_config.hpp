#pragma once

// Internal to streams_kafka: what every librdkafka client of this layer shares, namely how
// its configuration is built and where its log lines and error events go.

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace streams::kafka::detail {

/// The opaque every client of this layer registers with librdkafka, so that librdkafka's
/// log lines and error events carry the client's name ("source topic=events group=g").
/// librdkafka calls `on_error` from the thread that serves the client's queue (the
/// consumer's poll, the producer's poll) and `log_cb` from its internal threads.
class client_base {
public:
  explicit client_base(std::string label) : label_(std::move(label)) {}
  virtual ~client_base() = default;

  const std::string& label() const { return label_; }

  /// An error event; the default logs it (fatal ones as critical).
  virtual void on_error(rd_kafka_t* rk, rd_kafka_resp_err_t err, const char* reason);

  /// The client got something from a broker (a message, an assignment, a delivery): after
  /// "all brokers are down" this logs that they are reachable again. Cheap when nothing was down.
  void note_progress() {
    reached_ = true;
    if (brokers_down_)
      note_brokers_back();
  }
  /// Since "all brokers are down" and until the client got something from a broker again.
  bool brokers_down() const { return brokers_down_; }
  /// Whether any broker has ever answered this client.
  bool reached() const { return reached_; }
  /// While all brokers are down, asks the cluster for its metadata, waiting at most 100 ms:
  /// an answer means they are back although nothing flows (an idle pipeline). For the
  /// readiness probes, once a second.
  void recheck_brokers(rd_kafka_t* rk);

private:
  void note_brokers_back();

  std::string label_;
  bool brokers_down_ = false;
  bool reached_ = false;
};

struct conf_deleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
using conf_ptr = std::unique_ptr<rd_kafka_conf_t, conf_deleter>;

struct partition_list_deleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using partition_list_ptr = std::unique_ptr<rd_kafka_topic_partition_list_t, partition_list_deleter>;

using properties = std::vector<std::pair<std::string, std::string>>;

/// A configuration holding `defaults`, then `overrides` (applied last, so users can change
/// anything the layer chose), with log and error callbacks routed to `owner`. Throws
/// `kafka_error(errc::invalid_config)` naming the property librdkafka rejected.
conf_ptr make_conf(const properties& defaults, const std::map<std::string, std::string>& overrides,
                   client_base& owner);

/// "0, 1, 3" for log lines.
std::string partitions_text(const rd_kafka_topic_partition_list_t* list);

} // namespace streams::kafka::detail
