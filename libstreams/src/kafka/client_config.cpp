#include "client_config.hpp"

#include "logger.hpp"
#include "streams/kafka/kafka_error.hpp"

#include <spdlog/spdlog.h>

namespace streams::kafka::detail {

namespace {

client_base& owner_of(const rd_kafka_t* rk) {
  return *static_cast<client_base*>(rd_kafka_opaque(rk));
}

// librdkafka logs with syslog levels (0 emergency .. 7 debug).
spdlog::level::level_enum level_of(int syslog_level) {
  if (syslog_level <= 2)
    return spdlog::level::critical;
  if (syslog_level == 3)
    return spdlog::level::err;
  if (syslog_level == 4)
    return spdlog::level::warn;
  if (syslog_level <= 6)
    return spdlog::level::info;
  return spdlog::level::debug;
}

void log_cb(const rd_kafka_t* rk, int level, const char* facility, const char* line) {
  log().log(level_of(level), "[{}] librdkafka {}: {}", owner_of(rk).label(), facility, line);
}

void error_cb(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  static_cast<client_base*>(opaque)->on_error(rk, static_cast<rd_kafka_resp_err_t>(err), reason);
}

void set(rd_kafka_conf_t* conf, const std::string& name, const std::string& value,
         const client_base& owner) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof(errstr))
      != RD_KAFKA_CONF_OK)
    throw kafka_error(errc::invalid_config, owner.label() + ": cannot set Kafka property '" + name
                                                + "' to '" + value + "': " + errstr);
}

} // namespace

void client_base::on_error(rd_kafka_t* rk, rd_kafka_resp_err_t err, const char* reason) {
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    char detail[512];
    rd_kafka_fatal_error(rk, detail, sizeof(detail));
    log().critical("[{}] fatal Kafka error, this client cannot go on: {}", label_, detail);
  } else if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    brokers_down_ = true;
    log().error("[{}] all Kafka brokers are down; librdkafka keeps retrying: {}", label_, reason);
  } else if (err == RD_KAFKA_RESP_ERR__TRANSPORT) {
    // librdkafka has logged the connection failure itself (through log_cb) already.
    log().debug("[{}] Kafka transport error (librdkafka retries): {}", label_, reason);
  } else {
    log().warn("[{}] Kafka error {} (librdkafka retries): {}", label_, rd_kafka_err2name(err),
               reason);
  }
}

void client_base::recheck_brokers(rd_kafka_t* rk) {
  if (!brokers_down_ || !rk)
    return;
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_metadata(rk, 0, nullptr, &md, 100) != RD_KAFKA_RESP_ERR_NO_ERROR)
    return;
  rd_kafka_metadata_destroy(md);
  note_progress();
}

void client_base::note_brokers_back() {
  brokers_down_ = false;
  log().info("[{}] Kafka brokers reachable again", label_);
}

conf_ptr make_conf(const properties& defaults, const std::map<std::string, std::string>& overrides,
                   client_base& owner) {
  conf_ptr conf(rd_kafka_conf_new());
  for (auto& [name, value] : defaults)
    set(conf.get(), name, value, owner);
  for (auto& [name, value] : overrides)
    set(conf.get(), name, value, owner);
  rd_kafka_conf_set_opaque(conf.get(), &owner);
  rd_kafka_conf_set_log_cb(conf.get(), log_cb);
  rd_kafka_conf_set_error_cb(conf.get(), error_cb);
  return conf;
}

std::string partitions_text(const rd_kafka_topic_partition_list_t* list) {
  std::string text;
  for (int i = 0; list && i < list->cnt; ++i) {
    if (!text.empty())
      text += ", ";
    text += std::to_string(list->elems[i].partition);
  }
  return text.empty() ? "none" : text;
}

} // namespace streams::kafka::detail
