#include "streams/kafka/embedded_broker.hpp"

#include "client_config.hpp"
#include "logger.hpp"
#include "streams/kafka/kafka_error.hpp"

#include <librdkafka/rdkafka_mock.h>
#include <spdlog/spdlog.h>

namespace streams::kafka {

struct embedded_broker::impl : detail::client_base {
  impl() : client_base("embedded broker") {}
  ~impl() override {
    if (cluster)
      rd_kafka_mock_cluster_destroy(cluster);
    if (host)
      rd_kafka_destroy(host);
  }

  // The mock cluster lives inside a client handle; a producer that never produces is the
  // cheapest host. It has no bootstrap servers, so librdkafka would warn about that
  // (CONFWARN); only its errors are worth logging.
  rd_kafka_t* host = nullptr;
  rd_kafka_mock_cluster_t* cluster = nullptr;
  int brokers = 0;
  std::string bootstrap;
};

embedded_broker::embedded_broker(int brokers, std::vector<topic_spec> topics)
    : impl_(std::make_unique<impl>()) {
  if (brokers < 1)
    throw kafka_error(errc::invalid_config,
                      "embedded broker: needs at least one broker, not " + std::to_string(brokers));
  auto conf = detail::make_conf({{"log_level", "3"}}, {}, *impl_);
  char errstr[512];
  impl_->host = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), errstr, sizeof(errstr));
  if (!impl_->host)
    throw kafka_error(errc::client_creation,
                      std::string("embedded broker: cannot create its host client: ") + errstr);
  conf.release(); // rd_kafka_new owns it now

  impl_->cluster = rd_kafka_mock_cluster_new(impl_->host, brokers);
  if (!impl_->cluster)
    throw kafka_error(errc::client_creation, "embedded broker: cannot start the mock cluster");
  impl_->brokers = brokers;
  impl_->bootstrap = rd_kafka_mock_cluster_bootstraps(impl_->cluster);

  log().warn("embedded Kafka-protocol broker (librdkafka mock cluster; in memory, for development "
             "and tests only) listening on {} with {} broker(s)",
             impl_->bootstrap, brokers);
  for (auto& t : topics)
    create_topic(t.name, t.partitions);
}

embedded_broker::~embedded_broker() {
  log().info("embedded broker at {} stopping; its data is gone", impl_->bootstrap);
}

void embedded_broker::create_topic(const std::string& name, int partitions) {
  if (partitions < 1)
    throw kafka_error(errc::broker_command, "embedded broker: topic '" + name
                                                + "' needs at least one partition, not "
                                                + std::to_string(partitions));
  // Replication is simulated (no data is copied), so every broker may be a replica.
  auto err = rd_kafka_mock_topic_create(impl_->cluster, name.c_str(), partitions, impl_->brokers);
  if (err)
    throw kafka_error(errc::broker_command, "embedded broker: cannot create topic '" + name
                                                + "': " + rd_kafka_err2str(err));
  log().info("embedded broker: created topic '{}' with {} partition(s)", name, partitions);
}

const std::string& embedded_broker::bootstrap_servers() const { return impl_->bootstrap; }

int embedded_broker::broker_count() const { return impl_->brokers; }

void embedded_broker::set_down() {
  rd_kafka_mock_broker_set_down(impl_->cluster, -1);
  log().warn("embedded broker at {}: all brokers set down (connections refused)", impl_->bootstrap);
}

void embedded_broker::set_up() {
  rd_kafka_mock_broker_set_up(impl_->cluster, -1);
  log().warn("embedded broker at {}: all brokers up again", impl_->bootstrap);
}

} // namespace streams::kafka
