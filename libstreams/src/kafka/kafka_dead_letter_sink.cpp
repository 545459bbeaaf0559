#include "streams/kafka/kafka_dead_letter_sink.hpp"

#include "client_config.hpp"
#include "logger.hpp"
#include "record.hpp"
#include "streams/dead_letter.hpp"
#include "streams/kafka/kafka_error.hpp"
#include "streams/kafka/kafka_sink.hpp"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <utility>

namespace streams {

namespace {

using record_id = std::pair<std::int32_t, std::int64_t>; // partition, offset
using clock = std::chrono::steady_clock;

/// The headers of a dead letter that say why, copied onto the original record.
constexpr const char* provenance[] = {"streams-source", "streams-step", "streams-error",
                                      "streams-rejected-at"};

} // namespace

struct kafka_dead_letter_sink::impl : kafka::detail::client_base {
  impl(kafka::sink_config dlq, kafka::source_config src, std::uint32_t index,
       std::chrono::milliseconds timeout)
      : client_base("dead letters of topic=" + src.topic), out(std::move(dlq)),
        source(std::move(src)), source_index(index), read_timeout(timeout) {}

  ~impl() override {
    if (reader) {
      rd_kafka_consumer_close(reader);
      rd_kafka_destroy(reader);
    }
  }

  kafka_sink out;
  kafka::source_config source;
  std::uint32_t source_index;
  std::chrono::milliseconds read_timeout;
  rd_kafka_t* reader = nullptr; // made when first needed; assigned partitions, never a group

  void open_reader() {
    auto conf = kafka::detail::make_conf(
        {
            {"bootstrap.servers", source.bootstrap_servers},
            {"client.id", "streams-dead-letters-" + source.topic},
            // librdkafka wants a group for assign(); the reader never joins it nor commits
            {"group.id", "streams-dead-letters-" + source.topic},
            {"enable.auto.commit", "false"},
            {"enable.auto.offset.store", "false"},
        },
        source.override_params, *this);
    char errstr[512];
    reader = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), errstr, sizeof(errstr));
    if (!reader)
      throw kafka::kafka_error(kafka::errc::client_creation,
                               label() + ": cannot create the Kafka consumer: " + errstr);
    conf.release();
  }

  /// The records at `wanted`, read from the source topic; those it cannot find in time are
  /// missing from the result.
  std::map<record_id, message> read(std::set<record_id> wanted) {
    if (!reader)
      open_reader();
    forget_missing(wanted);
    std::map<record_id, message> found;
    if (wanted.empty())
      return found;
    std::map<std::int32_t, std::int64_t> start; // per partition, the least offset wanted
    for (auto& id : wanted)
      start.emplace(id.first, id.second); // the set is ordered: the first is the least
    kafka::detail::partition_list_ptr list(
        rd_kafka_topic_partition_list_new(static_cast<int>(start.size())));
    for (auto& [partition, offset] : start)
      rd_kafka_topic_partition_list_add(list.get(), source.topic.c_str(), partition)->offset =
          offset;
    if (auto err = rd_kafka_assign(reader, list.get())) {
      kafka::log().error("[{}] cannot read the original records: {}", label(),
                         rd_kafka_err2str(err));
      return found;
    }
    auto deadline = clock::now() + read_timeout;
    while (found.size() < wanted.size() && clock::now() < deadline) {
      auto* m = rd_kafka_consumer_poll(reader, 100);
      if (!m)
        continue;
      if (!m->err && wanted.count({m->partition, m->offset}))
        found.emplace(record_id{m->partition, m->offset}, kafka::detail::from_record(*m));
      rd_kafka_message_destroy(m);
    }
    rd_kafka_assign(reader, nullptr);
    return found;
  }

  /// Drops from `wanted` the records the topic does not hold (deleted by retention, below the
  /// partition's first offset, or past its end), so that the read does not wait its whole
  /// timeout for them.
  void forget_missing(std::set<record_id>& wanted) {
    std::int32_t partition = -1;
    std::int64_t low = -1, high = -1;
    for (auto id = wanted.begin(); id != wanted.end();) {
      if (id->first != partition) {
        partition = id->first;
        low = -1, high = -1;
        auto ms = static_cast<int>(std::min<std::int64_t>(read_timeout.count(), 5000));
        if (rd_kafka_query_watermark_offsets(reader, source.topic.c_str(), partition, &low, &high,
                                             ms))
          low = -1, high = -1; // unknown: wait for every record of the partition
      }
      bool missing = id->second < low || (high >= 0 && id->second >= high);
      id = missing ? wanted.erase(id) : std::next(id);
    }
  }

  void write(std::vector<message>& batch, delivery_report& report) {
    std::set<record_id> wanted;
    for (auto& m : batch)
      for (auto& o : m.lineage().origins())
        if (o.source == source_index)
          wanted.insert({o.partition, o.offset});
    auto originals = wanted.empty() ? std::map<record_id, message>{} : read(std::move(wanted));

    std::vector<message> records;
    for (auto& letter : batch) {
      // One record per source offset; pieces of one offset (a flat_map's outputs in one
      // batch) go together. What has no original stays in the letter.
      std::map<record_id, lineage> by_offset;
      lineage rest;
      for (auto& o : letter.lineage().origins()) {
        record_id id{o.partition, o.offset};
        if (o.source == source_index && originals.count(id))
          by_offset[id].absorb(lineage(o));
        else {
          if (o.source == source_index)
            kafka::log().warn("[{}] partition {} offset {} could not be read back (no longer "
                              "in the topic?): its dead letter is written as step '{}' saw it",
                              label(), o.partition, o.offset, last_header(letter, "streams-step"));
          rest.absorb(lineage(o));
        }
      }
      for (auto& [id, l] : by_offset) {
        auto record = originals.at(id);
        record.add_header("streams-original-topic", source.topic);
        record.add_header("streams-original-partition", std::to_string(id.first));
        record.add_header("streams-original-offset", std::to_string(id.second));
        for (auto* name : provenance)
          record.add_header(name, last_header(letter, name));
        record.set_lineage(std::move(l));
        records.push_back(std::move(record));
      }
      if (!rest.empty() || letter.lineage().empty()) {
        letter.set_lineage(std::move(rest));
        records.push_back(std::move(letter));
      }
    }
    out.write(records, report);
  }
};

kafka_dead_letter_sink::kafka_dead_letter_sink(kafka::sink_config dlq, kafka::source_config source,
                                               std::uint32_t source_index,
                                               std::chrono::milliseconds read_timeout)
    : impl_(std::make_unique<impl>(std::move(dlq), std::move(source), source_index, read_timeout)) {
}

kafka_dead_letter_sink::~kafka_dead_letter_sink() = default;

void kafka_dead_letter_sink::write(std::vector<message>& batch, delivery_report& report) {
  impl_->write(batch, report);
}

void kafka_dead_letter_sink::poll(delivery_report& report) { impl_->out.poll(report); }

bool kafka_dead_letter_sink::set_waker(waker wake) { return impl_->out.set_waker(std::move(wake)); }

std::size_t kafka_dead_letter_sink::pending() const { return impl_->out.pending(); }

void kafka_dead_letter_sink::flush(delivery_report& report) { impl_->out.flush(report); }

} // namespace streams
