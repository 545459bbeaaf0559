#include "streams/kafka/kafka_sink.hpp"

#include "client_config.hpp"
#include "logger.hpp"
#include "streams/kafka/kafka_error.hpp"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace streams {

namespace {

// What a produced record carries until its delivery report: librdkafka sends the payload
// from here without copying it, and the report hands the lineage to the runtime.
struct in_flight {
  streams::lineage lineage;
  bytes payload;
};

using clock = std::chrono::steady_clock;

/// Errors about one record that no retry and no other record would change: the record is
/// invalid for this topic (its source's `on_invalid` decides) while the others go on. Every
/// other error (timeouts, authorization, an unknown topic, a fenced producer) would strike
/// every record alike and stops the pipeline.
bool refused_for_good(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:    // over message.max.bytes (producer or topic)
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE: // a record set over the broker's segment size
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:        // the broker's validation (e.g. a compacted
                                                  // topic's record without a key)
    case RD_KAFKA_RESP_ERR_INVALID_TIMESTAMP:     // outside the topic's allowed timestamp range
      return true;
    default: return false;
  }
}

} // namespace

struct kafka_sink::impl : kafka::detail::client_base {
  explicit impl(kafka::sink_config c)
      : client_base("sink topic=" + c.topic), config(std::move(c)) {}

  ~impl() override {
    if (!rk)
      return;
    if (pending > 0) {
      kafka::log().warn("[{}] destroyed with {} messages not yet reported; abandoning them",
                        label(), pending);
      abandon("the sink was destroyed before they were reported");
    }
    if (reports) {
      rd_kafka_queue_cb_event_enable(reports, nullptr, nullptr);
      rd_kafka_queue_destroy(reports);
    }
    if (rkt)
      rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
  }

  // -- member variables --------------------------------------------------------

  kafka::sink_config config;
  rd_kafka_t* rk = nullptr;
  rd_kafka_topic_t* rkt = nullptr;
  rd_kafka_queue_t* reports = nullptr; // where delivery reports wait; watched once woken
  clock::time_point started_at;
  waker wake;
  std::size_t pending = 0;
  // The report of the write/poll/flush call being served; reports arrive only inside them.
  delivery_report* report = nullptr;
  // Why purged messages failed, when this sink purged them.
  const char* purge_reason = nullptr;

  /// Points `report` at the caller's report object for the duration of one call.
  class serving {
  public:
    serving(impl& s, delivery_report& r) : s_(s) { s_.report = &r; }
    ~serving() { s_.report = nullptr; }

  private:
    impl& s_;
  };

  // -- setup -------------------------------------------------------------------

  void create() {
    if (config.topic.empty())
      throw kafka::kafka_error(kafka::errc::invalid_config, label() + ": no topic given");
    auto conf = kafka::detail::make_conf(
        {
            {"bootstrap.servers", config.bootstrap_servers},
            {"client.id", "streams-sink-" + config.topic},
            {"enable.idempotence", config.idempotent ? "true" : "false"},
        },
        config.override_params, *this);
    rd_kafka_conf_set_dr_msg_cb(conf.get(), &impl::delivery_cb);

    char errstr[512];
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), errstr, sizeof(errstr));
    if (!rk)
      throw kafka::kafka_error(kafka::errc::client_creation,
                               label() + ": cannot create the Kafka producer: " + errstr);
    conf.release(); // owned by rk now
    started_at = clock::now();
    rkt = rd_kafka_topic_new(rk, config.topic.c_str(), nullptr);
    if (!rkt)
      throw kafka::kafka_error(
          kafka::errc::client_creation,
          label() + ": cannot create the topic handle: " + rd_kafka_err2str(rd_kafka_last_error()));
    kafka::log().info("[{}] producing via {} (idempotent: {})", label(), config.bootstrap_servers,
                      config.idempotent);
  }

  // -- delivery reports ----------------------------------------------------------

  void set_waker(waker w) {
    wake = std::move(w);
    if (!reports)
      reports = rd_kafka_queue_get_main(rk);
    rd_kafka_queue_cb_event_enable(reports, &impl::reports_ready, this);
  }

  static void reports_ready(rd_kafka_t*, void* opaque) {
    static_cast<impl*>(opaque)->wake(); // the opaque given to rd_kafka_queue_cb_event_enable
  }

  static void delivery_cb(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    static_cast<impl&>(*static_cast<client_base*>(opaque)).on_delivery(*m);
  }

  void on_delivery(const rd_kafka_message_t& m) {
    std::unique_ptr<in_flight> record(static_cast<in_flight*>(m._private));
    --pending;
    if (!m.err) {
      note_progress();
      if (report)
        report->delivered(record->lineage);
      return;
    }
    auto reason = "topic " + config.topic + " partition " + std::to_string(m.partition) + ": "
                  + rd_kafka_err2str(m.err);
    if (report && refused_for_good(m.err))
      return report->rejected(refused(*record), reason);
    if (purge_reason
        && (m.err == RD_KAFKA_RESP_ERR__PURGE_QUEUE || m.err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT))
      reason += std::string(" (") + purge_reason + ")";
    // Without a report (the sink is being destroyed) the loss was announced in ~impl.
    if (report)
      report->failed(record->lineage, reason);
  }

  /// What the sink still has of a record the broker refused: its payload and lineage.
  static message refused(in_flight& record) {
    message m(std::move(record.payload));
    m.set_lineage(std::move(record.lineage));
    return m;
  }

  /// Reports everything outstanding as failed, now.
  void abandon(const char* why) {
    purge_reason = why;
    rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    // Purged messages get their reports at once, in-flight ones once their request ends;
    // with every connection refused that is quick, so a short bound suffices.
    auto deadline = clock::now() + std::chrono::seconds(5);
    while (pending > 0 && clock::now() < deadline)
      rd_kafka_poll(rk, 50);
    purge_reason = nullptr;
    if (pending > 0)
      kafka::log().error("[{}] {} messages still without a delivery report", label(), pending);
  }

  /// Throws `unreachable` while messages wait for brokers none of which has ever answered,
  /// past `connect_timeout` since the sink started (a wrong address, a broker not there).
  void check_reachable() const {
    if (pending == 0 || reached() || !brokers_down()
        || clock::now() - started_at <= config.connect_timeout)
      return;
    throw kafka::kafka_error(kafka::errc::unreachable,
                             label() + ": no broker of " + config.bootstrap_servers
                                 + " has answered in the "
                                 + std::to_string(config.connect_timeout.count())
                                 + " ms since the sink started (connect_timeout); "
                                 + std::to_string(pending) + " messages are not delivered");
  }

  // -- producing ---------------------------------------------------------------

  void write(std::vector<message>& batch, delivery_report& r) {
    serving scope(*this, r);
    for (auto& m : batch)
      produce(m, r);
    rd_kafka_poll(rk, 0);
    check_reachable();
  }

  void produce(message& m, delivery_report& r) {
    auto* payload = m.payload_if<bytes>();
    if (!payload) {
      r.failed(m.lineage(), "topic " + config.topic + ": the Kafka sink takes bytes payloads, not "
                                + m.any_payload().type().name());
      return;
    }
    auto record = std::make_unique<in_flight>();
    record->lineage = m.lineage();
    record->payload = std::move(m.payload<bytes>());

    rd_kafka_headers_t* hdrs = nullptr;
    if (!m.headers().empty()) {
      hdrs = rd_kafka_headers_new(m.headers().size());
      for (auto& h : m.headers())
        rd_kafka_header_add(hdrs, h.name.data(), static_cast<ssize_t>(h.name.size()),
                            h.value.data(), static_cast<ssize_t>(h.value.size()));
    }

    rd_kafka_vu_t vus[7];
    std::size_t n = 0;
    vus[n].vtype = RD_KAFKA_VTYPE_RKT;
    vus[n++].u.rkt = rkt;
    vus[n].vtype = RD_KAFKA_VTYPE_PARTITION;
    vus[n++].u.i32 = RD_KAFKA_PARTITION_UA; // the partitioner picks: by key when there is one
    vus[n].vtype = RD_KAFKA_VTYPE_VALUE;
    vus[n].u.mem.ptr = record->payload.data();
    vus[n++].u.mem.size = record->payload.size();
    if (m.key()) {
      vus[n].vtype = RD_KAFKA_VTYPE_KEY; // librdkafka copies keys
      vus[n].u.mem.ptr = const_cast<char*>(m.key()->data());
      vus[n++].u.mem.size = m.key()->size();
    }
    if (hdrs) {
      vus[n].vtype = RD_KAFKA_VTYPE_HEADERS;
      vus[n++].u.headers = hdrs;
    }
    if (m.timestamp() > 0) {
      vus[n].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
      vus[n++].u.i64 = m.timestamp();
    }
    vus[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
    vus[n++].u.ptr = record.get();
    // No RD_KAFKA_MSG_F_COPY: the payload stays in `record` until the delivery report.

    for (;;) {
      auto* error = rd_kafka_produceva(rk, vus, n);
      if (!error) {
        record.release(); // freed by on_delivery
        ++pending;
        return;
      }
      auto code = rd_kafka_error_code(error);
      rd_kafka_error_destroy(error);
      if (code == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        // librdkafka's queue is full: serve reports (which frees room), then try again.
        rd_kafka_poll(rk, 10);
        continue;
      }
      if (hdrs)
        rd_kafka_headers_destroy(hdrs); // not taken over when producing fails
      auto reason = "topic " + config.topic + ": " + rd_kafka_err2str(code);
      if (refused_for_good(code)) // librdkafka checks message.max.bytes before sending
        return r.rejected(refused(*record), reason);
      r.failed(record->lineage, reason);
      return;
    }
  }

  void poll(delivery_report& r) {
    serving scope(*this, r);
    rd_kafka_poll(rk, 0);
    check_reachable();
  }

  void flush(delivery_report& r) {
    serving scope(*this, r);
    auto deadline = clock::now() + config.flush_timeout;
    while (pending > 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
      if (left.count() <= 0)
        break;
      // rd_kafka_flush sends lingering batches at once and serves reports while it waits.
      rd_kafka_flush(rk, static_cast<int>(std::min<std::int64_t>(left.count(), 100)));
      check_reachable();
    }
    if (pending == 0)
      return;
    kafka::log().error("[{}] {} messages not delivered within the flush timeout of {} ms; "
                       "reporting them failed",
                       label(), pending, config.flush_timeout.count());
    abandon("not delivered within the flush timeout");
  }
};

kafka_sink::kafka_sink(kafka::sink_config config)
    : impl_(std::make_unique<impl>(std::move(config))) {
  impl_->create();
}

kafka_sink::~kafka_sink() = default;

void kafka_sink::write(std::vector<message>& batch, delivery_report& report) {
  impl_->write(batch, report);
}

void kafka_sink::poll(delivery_report& report) { impl_->poll(report); }

bool kafka_sink::set_waker(waker wake) {
  impl_->set_waker(std::move(wake));
  return true;
}

std::size_t kafka_sink::pending() const { return impl_->pending; }

void kafka_sink::flush(delivery_report& report) { impl_->flush(report); }

std::string kafka_sink::not_ready() const {
  impl_->recheck_brokers(impl_->rk);
  return impl_->brokers_down() ? "all Kafka brokers are down" : std::string();
}

namespace sinks {

sink_spec<bytes> kafka(kafka::sink_config config) {
  auto detail = "Kafka topic " + config.topic;
  auto stream = config.topic;
  return {std::move(stream), std::move(detail),
          [config] { return std::make_unique<kafka_sink>(config); }, "kafka"};
}

} // namespace sinks
} // namespace streams
