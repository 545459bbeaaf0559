#include "streams/kafka/state_changelog.hpp"

#include "changelog_record.hpp"
#include "client_config.hpp"
#include "logger.hpp"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <utility>

namespace streams::kafka {

namespace {

using clock = std::chrono::steady_clock;

/// A record holds at most this much of a batch: well under librdkafka's and the brokers'
/// default message.max.bytes (1 MB), so that batches of any size go through unconfigured.
constexpr std::size_t max_record_bytes = 512 * 1024;
/// Changes a restore applies to the local store per transaction.
constexpr std::size_t restore_chunk = 4096;

struct handle_deleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using handle_ptr = std::unique_ptr<rd_kafka_t, handle_deleter>;

/// How far the local store has read the log, kept in the local store under a key no step
/// can have (step names are not empty). Text, so that `mdb_dump -p` shows it.
struct read_mark {
  std::int64_t position = 0;        ///< the next offset to read
  std::uint64_t max_generation = 0; ///< the highest generation seen below it
  std::string writer;               ///< who wrote through the local store last time

  static std::string key(const std::string& topic) {
    return std::string("\0changelog\0", 11) + topic;
  }
  static read_mark parse(const std::string& v) {
    read_mark m;
    std::istringstream in(v);
    in >> m.position >> m.max_generation >> m.writer;
    return m;
  }
  std::string text() const {
    return std::to_string(position) + " " + std::to_string(max_generation) + " " + writer;
  }
};

/// What the brokers said about one write's records.
struct deliveries {
  std::size_t remaining = 0;
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::int64_t last_offset = -1;
};

std::string random_writer_id() {
  std::random_device rd;
  std::uniform_int_distribution<std::uint64_t> any;
  std::ostringstream out;
  out << std::hex << any(rd);
  return out.str();
}

class changelog_store : public state_store, detail::client_base {
public:
  changelog_store(std::unique_ptr<state_store> local, changelog_config config)
      : client_base("state changelog topic=" + config.topic), local_(std::move(local)),
        config_(std::move(config)) {
    if (config_.topic.empty())
      throw state_error(label() + ": no topic given");
    make_producer();
    restore();
  }

  ~changelog_store() override {
    if (producer_)
      rd_kafka_flush(producer_.get(), 1000);
  }

  std::optional<std::string> get(std::string_view key) const override { return local_->get(key); }
  void scan(std::string_view prefix,
            const std::function<void(std::string_view, std::string_view)>& f) const override {
    local_->scan(prefix, f);
  }

  void write(const write_batch& batch) override {
    std::lock_guard<std::mutex> guard(mutex_);
    if (batch.empty())
      return;
    append(batch);
    local_->write(batch);
  }

  /// Acknowledged by every in-sync replica of the topic before `write` returns.
  bool durable() const override { return true; }
  std::string where() const override {
    return local_->where() + " (replicated to Kafka topic '" + config_.topic + "')";
  }

  /// Reads the log from the local store's mark to its end, applying the batches of other
  /// writers; this opening's own are in the local store already (applying them again could
  /// show a reader of this process an older value of its own keys for a moment).
  std::uint64_t catch_up() override {
    std::lock_guard<std::mutex> guard(mutex_);
    auto started = clock::now();
    if (!catch_up_reader_)
      catch_up_reader_ = make_reader();
    auto* reader = catch_up_reader_.get();
    auto [low, high] = log_bounds(*reader, started);
    if (mark_.position >= high || high - read_to_ == appended_)
      return caught_up_; // nothing, or only this opening's own records, since the last reading
    require_kept(low, mark_.position);
    // The mark may lie before batches read already (it waits at a batch still open); those
    // are not applied again: this opening may have changed their keys since.
    auto read = replay(*reader, mark_, high, started, read_to_);
    if (read.tainted)
      throw state_error(label() + ": a newer run (generation "
                        + std::to_string(mark_.max_generation)
                        + ") has written the state since this one was deployed: this run was "
                          "replaced");
    caught_up_ += read.applied;
    if (read.applied > 0)
      kafka::log().info("[{}] caught up with the log to offset {}: {} change(s) of other "
                        "writers applied",
                        label(), mark_.position, read.applied);
    return caught_up_;
  }

private:
  // -- writing -------------------------------------------------------------------

  void make_producer() {
    auto conf = detail::make_conf(
        {
            {"bootstrap.servers", config_.bootstrap_servers},
            {"client.id", "streams-changelog-" + config_.topic},
            // in order, once each, acknowledged by all in-sync replicas
            {"enable.idempotence", "true"},
            {"linger.ms", "1"},
        },
        config_.override_params, *this);
    rd_kafka_conf_set_dr_msg_cb(conf.get(), &changelog_store::delivered);
    producer_ = make_client(RD_KAFKA_PRODUCER, std::move(conf), "producer");
  }

  /// A librdkafka client of `type` made from `conf`; throws `state_error` naming `what`.
  handle_ptr make_client(rd_kafka_type_t type, detail::conf_ptr conf, const char* what) {
    char errstr[512];
    handle_ptr rk(rd_kafka_new(type, conf.get(), errstr, sizeof(errstr)));
    if (!rk)
      throw state_error(label() + ": cannot create the Kafka " + what + ": " + errstr);
    conf.release(); // owned by rk now
    return rk;
  }

  static void delivered(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
    auto& d = *static_cast<deliveries*>(m->_private);
    --d.remaining;
    if (m->err && !d.error)
      d.error = m->err;
    d.last_offset = std::max<std::int64_t>(d.last_offset, m->offset);
  }

  /// Appends `batch` to the log and waits until the brokers have it; the offset of its last
  /// record. Throws `state_error` when they refuse it or do not answer within the timeout.
  std::int64_t append(const write_batch& batch) {
    auto values =
        detail::encode_changelog(batch, config_.generation, ++sequence_, max_record_bytes);
    deliveries d;
    auto deadline = clock::now() + config_.timeout;
    auto* rk = producer_.get();
    for (auto& v : values) {
      for (;;) {
        auto err = rd_kafka_producev(
            rk, RD_KAFKA_V_TOPIC(config_.topic.c_str()), RD_KAFKA_V_PARTITION(0),
            RD_KAFKA_V_KEY(writer_.data(), writer_.size()),
            RD_KAFKA_V_VALUE(const_cast<char*>(v.data()), v.size()),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(&d), RD_KAFKA_V_END);
        if (!err) {
          ++d.remaining;
          break;
        }
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || clock::now() >= deadline) {
          settle(d);
          throw state_error(label() + ": cannot write a record of " + std::to_string(v.size())
                            + " bytes: " + rd_kafka_err2str(err));
        }
        rd_kafka_poll(rk, 10);
      }
    }
    while (d.remaining > 0 && clock::now() < deadline)
      rd_kafka_poll(rk, 10);
    if (d.remaining > 0) {
      settle(d);
      throw state_error(label() + ": the brokers at " + config_.bootstrap_servers
                        + " did not acknowledge the state within "
                        + std::to_string(config_.timeout.count()) + " ms");
    }
    if (d.error)
      throw state_error(label() + ": the brokers refused the state: " + rd_kafka_err2str(d.error));
    note_progress();
    appended_ += static_cast<std::int64_t>(values.size());
    return d.last_offset;
  }

  /// Withdraws what is still queued, so that no report outlives `d`. A record already sent
  /// may still land: a batch is applied by readers only when all of its parts did, and one
  /// that landed whole holds its inputs' replay marks with it, so nothing is counted twice.
  void settle(deliveries& d) {
    rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    while (d.remaining > 0)
      rd_kafka_poll(producer_.get(), 10);
  }

  // -- restoring -----------------------------------------------------------------

  handle_ptr make_reader() {
    auto conf = detail::make_conf(
        {
            {"bootstrap.servers", config_.bootstrap_servers},
            {"client.id", "streams-changelog-reader-" + config_.topic},
            // librdkafka wants a group for assign(); the reader never joins it nor commits
            {"group.id", "streams-changelog-reader"},
            {"enable.auto.commit", "false"},
            {"enable.auto.offset.store", "false"},
            {"enable.partition.eof", "true"},
        },
        config_.override_params, *this);
    auto reader = make_client(RD_KAFKA_CONSUMER, std::move(conf), "consumer");
    rd_kafka_poll_set_consumer(reader.get());
    return reader;
  }

  /// The log's first and next offsets, asked of the brokers; throws `state_error` when they
  /// cannot say (a missing topic is named as such).
  std::pair<std::int64_t, std::int64_t> log_bounds(rd_kafka_t& reader, clock::time_point started) {
    std::int64_t low = 0, high = 0;
    if (auto err = rd_kafka_query_watermark_offsets(&reader, config_.topic.c_str(), 0, &low, &high,
                                                    ms_left(started)))
      throw state_error(label() + ": cannot read the log at " + config_.bootstrap_servers + ": "
                        + rd_kafka_err2str(err)
                        + (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART
                               ? " (create the topic, with retention.ms=-1)"
                               : ""));
    return {low, high};
  }

  /// Brings the local store up to the end of the log, then starts this opening's writer.
  void restore() {
    auto reader = make_reader();
    auto started = clock::now();
    auto [low, high] = log_bounds(*reader, started);
    // The producer learns the topic's leader now: left to the first write, that took
    // librdkafka ~1 s (its next metadata refresh), the first checkpoint's wait.
    std::unique_ptr<rd_kafka_topic_t, void (*)(rd_kafka_topic_t*)> topic(
        rd_kafka_topic_new(producer_.get(), config_.topic.c_str(), nullptr),
        rd_kafka_topic_destroy);
    const rd_kafka_metadata_t* metadata = nullptr;
    if (!rd_kafka_metadata(producer_.get(), 0, topic.get(), &metadata, ms_left(started)))
      rd_kafka_metadata_destroy(metadata);
    auto key = read_mark::key(config_.topic);
    auto stored = local_->get(key);
    auto& mark = mark_;
    mark = stored ? read_mark::parse(*stored) : read_mark{};
    if (mark.position > high)
      throw state_error(label() + ": " + local_->where() + " has read the log up to offset "
                        + std::to_string(mark.position) + " but it ends at " + std::to_string(high)
                        + ": the topic is not the one it read (recreated?); remove the local "
                          "state to rebuild it from the log");
    require_kept(low, mark.position);
    auto read = replay(*reader, mark, high, started);
    auto applied = read.applied;
    if (read.tainted) {
      // A replaced writer through this very store wrote after being fenced: the local store
      // holds changes the log's readers ignore. Rebuild it from the log.
      kafka::log().warn("[{}] {} holds changes written after its run was replaced; rebuilding "
                        "it from the log",
                        label(), local_->where());
      wipe_local();
      mark = {};
      require_kept(low, 0);
      applied = replay(*reader, mark, high, started).applied;
    }
    if (config_.generation > 0 && config_.generation < mark.max_generation)
      throw state_error(label() + ": a newer run (generation " + std::to_string(mark.max_generation)
                        + ") has written the state since this one (generation "
                        + std::to_string(config_.generation)
                        + ") was deployed: this run was replaced");
    writer_ = random_writer_id();
    if (config_.generation > 0) {
      // Marks the generation at once: a replaced writer's records after this one are ignored
      // by every reader, and what landed between the end read above and this is read now.
      auto marker = append(write_batch{});
      if (marker >= mark.position)
        applied += replay(*reader, mark, marker + 1, started).applied;
    }
    mark.writer = writer_;
    write_batch b;
    b.put(key, mark.text());
    local_->write(b);
    rd_kafka_consumer_close(reader.get());
    kafka::log().info("[{}] {} restored from {} via {}: read to offset {} ({} change(s) applied)",
                      label(), local_->where(), config_.topic, config_.bootstrap_servers,
                      mark.position, applied);
  }

  void require_kept(std::int64_t low, std::int64_t from) const {
    if (low > from)
      throw state_error(label() + ": the log starts at offset " + std::to_string(low)
                        + " but the local state needs it from offset " + std::to_string(from)
                        + ": the records between are gone (set retention.ms=-1 on the topic)");
  }

  struct replay_result {
    std::size_t applied = 0;
    bool tainted = false; ///< a fenced record of this store's previous writer was seen
  };

  /// A batch seen in part: its parts by number, and the offset of the first one.
  struct partial {
    std::int64_t first_offset = 0;
    std::uint64_t generation = 0;
    std::uint32_t parts = 0;
    std::map<std::uint32_t, std::vector<std::pair<std::string, std::optional<std::string>>>> ops;
  };

  /// Applies the log from `mark.position` up to `end` (exclusive) to the local store, in
  /// chunks that each also advance the mark, so that a restore cut short resumes. Batches are
  /// applied whole, in the order their last parts appear.
  replay_result replay(rd_kafka_t& reader, read_mark& mark, std::int64_t end,
                       clock::time_point started, std::int64_t applied_before = 0) {
    replay_result r;
    if (mark.position >= end)
      return r;
    detail::partition_list_ptr list(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(list.get(), config_.topic.c_str(), 0)->offset = mark.position;
    if (auto err = rd_kafka_assign(&reader, list.get()))
      throw state_error(label() + ": cannot read the log: " + rd_kafka_err2str(err));
    std::map<std::pair<std::string, std::uint64_t>, partial> open; // by writer and sequence
    write_batch chunk;
    std::int64_t next = mark.position;
    auto key = read_mark::key(config_.topic);
    // This store's writer of last time is gone (the store is open again): a batch it left
    // open will never be completed. When catching up, that writer is this opening, whose
    // batches the local store holds already.
    auto gone = mark.writer;
    bool own_applied = gone != writer_;
    auto flush = [&] {
      // The mark may not pass a batch still open: its parts before would never be read again.
      mark.position = next;
      for (auto& [id, p] : open)
        if (id.first != gone)
          mark.position = std::min(mark.position, p.first_offset);
      chunk.put(key, mark.text());
      local_->write(chunk);
      r.applied += chunk.size() - 1;
      chunk = write_batch{};
    };
    while (next < end) {
      if (clock::now() - started > config_.timeout)
        throw state_error(label() + ": read the log only up to offset " + std::to_string(next)
                          + " of " + std::to_string(end) + " within "
                          + std::to_string(config_.timeout.count()) + " ms");
      std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> m(
          rd_kafka_consumer_poll(&reader, 100), rd_kafka_message_destroy);
      if (!m)
        continue;
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        next = std::max(next, m->offset);
        continue;
      }
      if (m->err) {
        kafka::log().warn("[{}] reading the log: {}", label(), rd_kafka_message_errstr(m.get()));
        continue;
      }
      note_progress();
      if (m->offset >= end)
        break;
      next = m->offset + 1;
      std::string writer(static_cast<const char*>(m->key), m->key_len);
      auto part =
          detail::decode_changelog(std::string_view(static_cast<const char*>(m->payload), m->len));
      if (!part)
        throw state_error(label() + ": the record at offset " + std::to_string(m->offset)
                          + " is not a state change written by streams: is another "
                            "application writing to this topic?");
      if (part->generation > 0) {
        if (part->generation < mark.max_generation) { // fenced
          if (writer == gone)
            r.tainted = true;
          open.erase({writer, part->sequence});
          continue;
        }
        if (part->generation > mark.max_generation) {
          // The batches of older generations still open can only be completed by fenced parts.
          for (auto it = open.begin(); it != open.end();)
            it = it->second.generation > 0 ? open.erase(it) : std::next(it);
          mark.max_generation = part->generation;
        }
      }
      if (!own_applied && writer == gone)
        continue;
      auto& p = open[{writer, part->sequence}];
      if (p.ops.empty()) {
        p.first_offset = m->offset;
        p.generation = part->generation;
      }
      p.parts = part->parts;
      auto& ops = p.ops[part->part];
      for (auto& [k, v] : part->ops)
        ops.emplace_back(std::string(k),
                         v ? std::optional<std::string>(std::string(*v)) : std::nullopt);
      if (p.ops.size() < p.parts)
        continue;
      if (m->offset < applied_before) { // completed, and applied, by an earlier reading
        open.erase({writer, part->sequence});
        continue;
      }
      for (auto& [_, part_ops] : p.ops)
        for (auto& [k, v] : part_ops) {
          if (v)
            chunk.put(std::move(k), std::move(*v));
          else
            chunk.erase(std::move(k));
        }
      open.erase({writer, part->sequence});
      if (chunk.size() >= restore_chunk)
        flush();
    }
    flush();
    read_to_ = std::max(read_to_, next);
    appended_ = 0;
    rd_kafka_assign(&reader, nullptr);
    return r;
  }

  void wipe_local() {
    std::vector<std::string> keys;
    local_->scan("", [&](std::string_view k, std::string_view) { keys.emplace_back(k); });
    write_batch b;
    for (auto& k : keys)
      b.erase(std::move(k));
    local_->write(b);
  }

  int ms_left(clock::time_point started) const {
    auto left = config_.timeout
                - std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - started);
    return static_cast<int>(std::max<std::int64_t>(left.count(), 1));
  }

  std::unique_ptr<state_store> local_;
  changelog_config config_;
  handle_ptr producer_;
  std::string writer_; ///< this opening's id, the key of its records
  std::uint64_t sequence_ = 0;
  read_mark mark_;              ///< how far the local store has read the log
  std::int64_t read_to_ = 0;    ///< where this opening's last reading of the log ended
  std::int64_t appended_ = 0;   ///< records this opening appended since
  handle_ptr catch_up_reader_;  ///< made at the first `catch_up`
  std::uint64_t caught_up_ = 0; ///< other writers' changes `catch_up` applied

  std::mutex mutex_;
};

} // namespace

std::unique_ptr<state_store> replicate_to_changelog(std::unique_ptr<state_store> local,
                                                    changelog_config config) {
  return std::make_unique<changelog_store>(std::move(local), std::move(config));
}

} // namespace streams::kafka
