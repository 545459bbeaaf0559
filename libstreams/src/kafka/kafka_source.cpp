#include "streams/kafka/kafka_source.hpp"

#include "client_config.hpp"
#include "logger.hpp"
#include "record.hpp"
#include "streams/kafka/kafka_error.hpp"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <set>

namespace streams {

namespace {

// The most messages taken from librdkafka in one call; bigger polls take several calls.
constexpr std::size_t max_batch = 1024;

// How soon poll() retries a failed commit when the runtime sends no new one.
constexpr std::chrono::seconds retry_interval{1};

// How long a pause lasts before librdkafka's partitions are paused. Pausing them discards
// everything fetched ahead, and fetching starts again only on the broker thread's next wakeup
// (up to ~1 s): a runtime that lacks credit for a few milliseconds at a time (normal at full
// speed) made the source pause and resume constantly, 50 times slower than without pausing
// (tools/bench, Kafka benchmark). A shorter pause is served by not consuming; meanwhile
// librdkafka's own limits (queued.min.messages, queued.max.messages.kbytes) bound what it
// fetches ahead.
constexpr std::chrono::milliseconds pause_grace{100};

} // namespace

struct kafka_source::impl : kafka::detail::client_base {
  explicit impl(kafka::source_config c)
      : client_base("source topic=" + c.topic + " group=" + c.consumer_group),
        config(std::move(c)) {}

  ~impl() override {
    ctx = nullptr; // the runtime may be gone: leave without committing anything
    close();
  }

  // -- member variables --------------------------------------------------------

  kafka::source_config config;
  rd_kafka_t* rk = nullptr;
  rd_kafka_queue_t* queue = nullptr; // the consumer queue: messages and group events
  source_context* ctx = nullptr;
  waker wake; // called by librdkafka (queue_ready) when the queue stops being empty
  std::set<std::int32_t> assigned;
  // An assignment received inside a consume call, applied once that call has returned (see
  // on_assign).
  kafka::detail::partition_list_ptr pending_assignment;
  std::uint64_t revocations = 0; // counts revocations, so poll can tell one happened
  // Partitions revoked and no longer consumed, still in librdkafka's assignment until the
  // runtime has settled them (source_context::settled): the group's rebalance waits for this
  // member to give them up (up to max.poll.interval.ms).
  kafka::detail::partition_list_ptr revoking;
  bool paused = false;            // asked to pause ...
  bool partitions_paused = false; // ... and librdkafka's partitions are paused (pause_grace)
  std::chrono::steady_clock::time_point paused_since;
  std::chrono::steady_clock::time_point started_at; // when subscribe was called
  bool ever_assigned = false;
  bool closing = false;
  std::map<std::int32_t, std::int64_t> retry_commits; // positions whose commit failed
  std::map<std::int32_t, std::int64_t> last_sent;     // the latest position sent per partition
  std::chrono::steady_clock::time_point last_commit;  // when commit() last sent something
  std::deque<std::chrono::steady_clock::time_point> commits_sent; // unanswered, oldest first
  bool committing_before_revocation = false; // its answer is not one of commits_sent's
  std::optional<kafka::kafka_error> failure; // thrown by the next poll
  std::vector<rd_kafka_message_t*> batch = std::vector<rd_kafka_message_t*>(max_batch);

  // -- setup and teardown ------------------------------------------------------

  void create() {
    if (config.topic.empty())
      throw kafka::kafka_error(kafka::errc::invalid_config, label() + ": no topic given");
    if (config.consumer_group.empty())
      throw kafka::kafka_error(kafka::errc::invalid_config,
                               label()
                                   + ": no consumer group given (kafka::default_group(step) gives "
                                     "the conventional one)");
    if (auto it = config.override_params.find("partition.assignment.strategy");
        it != config.override_params.end() && it->second.find("cooperative") != std::string::npos)
      throw kafka::kafka_error(
          kafka::errc::invalid_config,
          label() + ": partition.assignment.strategy '" + it->second
              + "' is not supported: this source rebalances eagerly (range or roundrobin), and "
                "cooperative-sticky crashes librdkafka 2.0.2 (librdkafka #4312)");

    auto conf = kafka::detail::make_conf(
        {
            {"bootstrap.servers", config.bootstrap_servers},
            {"group.id", config.consumer_group},
            {"client.id", "streams-source-" + config.topic},
            // Strict: librdkafka resets nothing; the assignment places uncommitted partitions.
            {"auto.offset.reset", config.strict_offset_reset
                                      ? "error"
                                      : std::string(to_string(config.auto_offset_reset))},
            // Offsets are the runtime's: only positions it reports done get committed.
            {"enable.auto.commit", "false"},
            {"enable.auto.offset.store", "false"},
            {"partition.assignment.strategy", "range"},
            // librdkafka 2.0.2 stops fetching a partition once this many messages wait in
            // its queue and looks again only on its broker thread's next wakeup (up to 1 s
            // later), however soon the queue drains: at the default of 100000, a pipeline
            // draining faster than 100000 messages/s stalled for most of every second
            // (tools/bench). A larger count leaves queued.max.messages.kbytes (64 MB by
            // default) as the bound of what is fetched ahead.
            {"queued.min.messages", "1000000"},
        },
        config.override_params, *this);
    rd_kafka_conf_set_rebalance_cb(conf.get(), &impl::rebalance_cb);
    rd_kafka_conf_set_offset_commit_cb(conf.get(), &impl::commit_cb);

    char errstr[512];
    rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), errstr, sizeof(errstr));
    if (!rk)
      throw kafka::kafka_error(kafka::errc::client_creation,
                               label() + ": cannot create the Kafka consumer: " + errstr);
    conf.release(); // owned by rk now
    // Route group events (rebalances, commit results, errors) to the queue poll() serves.
    rd_kafka_poll_set_consumer(rk);
    queue = rd_kafka_queue_get_consumer(rk);
    if (wake)
      rd_kafka_queue_cb_event_enable(queue, &impl::queue_ready, this);
  }

  void set_waker(waker w) {
    wake = std::move(w);
    if (queue)
      rd_kafka_queue_cb_event_enable(queue, &impl::queue_ready, this);
  }

  static void queue_ready(rd_kafka_t*, void* opaque) { static_cast<impl*>(opaque)->wake(); }

  void subscribe(source_context& c) {
    ctx = &c;
    started_at = std::chrono::steady_clock::now();
    kafka::detail::partition_list_ptr topics(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(topics.get(), config.topic.c_str(), RD_KAFKA_PARTITION_UA);
    if (auto err = rd_kafka_subscribe(rk, topics.get()))
      throw kafka::kafka_error(kafka::errc::client_creation,
                               label() + ": cannot subscribe: " + rd_kafka_err2str(err));
    kafka::log().info("[{}] subscribed via {} (auto_offset_reset={})", label(),
                      config.bootstrap_servers, to_string(config.auto_offset_reset));
  }

  void close() {
    if (!rk)
      return;
    closing = true;
    finish_revocation(); // librdkafka's close waits for a revocation under way
    recheck_brokers();
    bool leave = !brokers_down();
    // Leaving the group revokes the assignment through rebalance_cb, which commits what
    // the runtime says is done (unless ctx is gone). With every broker down there is no one
    // to tell, and librdkafka 2.0.2 may wait for ever on the requests it queued for the group
    // coordinator (seen once, under load, in the broker-destroyed test): the consumer is
    // destroyed without, and the group finds it gone after its session timeout.
    if (!leave)
      kafka::log().warn("[{}] all brokers are down: closing without leaving the group or "
                        "committing; the next owner consumes from the last commit",
                        label());
    else if (auto err = rd_kafka_consumer_close(rk))
      kafka::log().warn("[{}] closing the consumer: {}", label(), rd_kafka_err2str(err));
    rd_kafka_queue_cb_event_enable(queue, nullptr, nullptr);
    rd_kafka_queue_destroy(queue);
    rd_kafka_destroy_flags(rk, leave ? 0 : RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    rk = nullptr;
    queue = nullptr;
    kafka::log().info("[{}] {} and closed the consumer", label(),
                      leave ? "left the group" : "did not leave the group");
  }

  // -- callbacks (run inside rd_kafka_consume_batch_queue or rd_kafka_consumer_close) ---

  static impl& self(void* opaque) { return static_cast<impl&>(*static_cast<client_base*>(opaque)); }

  static void rebalance_cb(rd_kafka_t*, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
      self(opaque).on_assign(partitions);
    else
      self(opaque).on_revoke(partitions);
  }

  // The assignment is not applied here but after the consume call that served it returns:
  // the messages that call already collected may include old ones of these very partitions
  // (from before a revocation in the same call), and only while none of the new assignment
  // can be among them can poll tell the two apart.
  void on_assign(rd_kafka_topic_partition_list_t* partitions) {
    kafka::log().info("[{}] assigned partitions {}", label(),
                      kafka::detail::partitions_text(partitions));
    finish_revocation(); // normally done: a new assignment follows the revocation's end
    pending_assignment.reset(rd_kafka_topic_partition_list_copy(partitions));
    if (closing)
      apply_pending_assignment();
  }

  // The partitions stop being consumed at once; librdkafka's assignment goes once the runtime
  // has settled them (poll), so that their next owner starts from state and commits that hold
  // everything this process made of them.
  void on_revoke(rd_kafka_topic_partition_list_t* partitions) {
    ++revocations;
    pending_assignment.reset();
    finish_revocation(); // an earlier one (normally done)
    revoking.reset(rd_kafka_topic_partition_list_copy(partitions));
    for (int i = 0; i < partitions->cnt; ++i) {
      last_sent.erase(partitions->elems[i].partition);
      assigned.erase(partitions->elems[i].partition);
    }
    kafka::log().info("[{}] partitions {} are being revoked", label(),
                      kafka::detail::partitions_text(partitions));
    if (closing || !ctx || rd_kafka_assignment_lost(rk))
      finish_revocation(); // nothing to wait for, or no one to wait for
    else
      pause_resume(revoking.get(), true); // fetched no further while they settle
  }

  static std::vector<std::int32_t> partition_ids(const rd_kafka_topic_partition_list_t* list) {
    std::vector<std::int32_t> ids;
    for (int i = 0; i < list->cnt; ++i)
      ids.push_back(list->elems[i].partition);
    return ids;
  }

  /// Commits what the runtime has done of the partitions being revoked and gives them up.
  void finish_revocation() {
    if (!revoking)
      return;
    auto list = std::move(revoking);
    auto ids = partition_ids(list.get());
    std::map<std::int32_t, std::int64_t> positions;
    for (auto id : ids)
      if (auto it = retry_commits.find(id); it != retry_commits.end()) {
        positions[id] = it->second;
        retry_commits.erase(it);
      }
    if (ctx)
      for (auto& p : ctx->revoke(ids))
        positions[p.partition] = std::max(positions[p.partition], p.offset);

    if (!positions.empty()) {
      if (rd_kafka_assignment_lost(rk)) {
        // The group has moved on (this member timed out): a commit would be refused, and the
        // new owner re-reads from the last commit, so nothing is lost, only repeated.
        kafka::log().warn("[{}] assignment of partitions {} was lost; their done positions are "
                          "not committed and will be consumed again by the new owner",
                          label(), kafka::detail::partitions_text(list.get()));
      } else {
        auto commit_list = make_list(positions);
        committing_before_revocation = true;
        auto err = rd_kafka_commit(rk, commit_list.get(), 0 /* synchronously */);
        committing_before_revocation = false;
        if (err)
          kafka::log().error("[{}] commit before revocation of {} failed: {}; the next owner "
                             "will consume from the previous commit",
                             label(), describe(positions), rd_kafka_err2str(err));
        else
          kafka::log().info("[{}] committed {} before revocation", label(), describe(positions));
      }
    }
    // librdkafka keeps a partition's pause across assignments: one that comes back must flow.
    pause_resume(list.get(), false);
    if (auto err = rd_kafka_assign(rk, nullptr))
      kafka::log().error("[{}] giving up partitions {}: {}", label(),
                         kafka::detail::partitions_text(list.get()), rd_kafka_err2str(err));
    kafka::log().info("[{}] revoked partitions {}", label(),
                      kafka::detail::partitions_text(list.get()));
  }

  static void commit_cb(rd_kafka_t*, rd_kafka_resp_err_t err,
                        rd_kafka_topic_partition_list_t* offsets, void* opaque) {
    self(opaque).on_commit_result(err, offsets);
  }

  void on_commit_result(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets) {
    if (err == RD_KAFKA_RESP_ERR__NO_OFFSET || !offsets)
      return;
    // Answers come in the order the commits were sent (one coordinator).
    if (!committing_before_revocation && !commits_sent.empty()) {
      if (ctx)
        ctx->commit_answered(std::chrono::steady_clock::now() - commits_sent.front());
      commits_sent.pop_front();
    }
    std::map<std::int32_t, std::int64_t> failed;
    rd_kafka_resp_err_t first = err;
    for (int i = 0; i < offsets->cnt; ++i) {
      auto& p = offsets->elems[i];
      if (!err && !p.err)
        continue;
      if (!first)
        first = p.err;
      if (p.offset >= 0)
        failed[p.partition] = p.offset;
    }
    if (failed.empty()) {
      kafka::log().debug("[{}] committed partitions {}", label(),
                         kafka::detail::partitions_text(offsets));
      return;
    }
    // Retry only what is still ours and no later commit has superseded: retrying an older
    // position after a newer one went out would move the committed offset back.
    bool retrying = false;
    for (auto [partition, offset] : failed)
      if (assigned.count(partition) && last_sent[partition] == offset) {
        retry_commits[partition] = offset;
        retrying = true;
      }
    kafka::log().log(retrying ? spdlog::level::warn : spdlog::level::info,
                     "[{}] commit of {} failed: {}; {}", label(), describe(failed),
                     rd_kafka_err2str(first),
                     retrying ? "retrying" : "not retried (superseded, or no longer assigned)");
  }

  void on_error(rd_kafka_t* handle, rd_kafka_resp_err_t err, const char* reason) override {
    client_base::on_error(handle, err, reason);
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
      char detail[512];
      rd_kafka_fatal_error(handle, detail, sizeof(detail));
      failure.emplace(kafka::errc::fatal, label() + ": fatal consumer error: " + detail);
    }
  }

  /// While all brokers are down, asks the group coordinator for the positions committed in
  /// the partitions assigned (the consumer keeps its coordinator connected, not always the
  /// others, so a metadata request can wait in vain), else for the cluster's metadata,
  /// waiting at most 100 ms: an answer means the brokers are back although nothing flows.
  void recheck_brokers() {
    if (!brokers_down() || assigned.empty())
      return client_base::recheck_brokers(rk);
    std::map<std::int32_t, std::int64_t> none;
    for (auto p : assigned)
      none[p] = RD_KAFKA_OFFSET_INVALID;
    auto list = make_list(none);
    if (rd_kafka_committed(rk, list.get(), 100) == RD_KAFKA_RESP_ERR_NO_ERROR)
      note_progress();
  }

  // -- polling -----------------------------------------------------------------

  std::vector<message> poll(std::size_t max) {
    if (failure)
      throw *failure;
    std::vector<message> out;
    if (!rk || !ctx)
      return out;
    if (!ever_assigned && brokers_down()
        && std::chrono::steady_clock::now() - started_at > config.connect_timeout)
      throw kafka::kafka_error(kafka::errc::unreachable,
                               label() + ": no broker of " + config.bootstrap_servers
                                   + " has answered in the "
                                   + std::to_string(config.connect_timeout.count())
                                   + " ms since the source started (connect_timeout)");
    if (revoking && ctx->settled(partition_ids(revoking.get())))
      finish_revocation();
    apply_pending_assignment();
    if (!retry_commits.empty() && std::chrono::steady_clock::now() - last_commit > retry_interval)
      commit({});
    if (paused && !partitions_paused) {
      if (std::chrono::steady_clock::now() - paused_since < pause_grace)
        return out; // a short pause: consume nothing, keep what librdkafka fetched ahead
      partitions_paused = true;
      auto list = assigned_list();
      pause_resume(list.get(), true);
      kafka::log().debug("[{}] paused partitions {}", label(),
                         kafka::detail::partitions_text(list.get()));
    }
    while (out.size() < max) {
      auto want = std::min(max - out.size(), max_batch);
      auto before = revocations;
      auto n = rd_kafka_consume_batch_queue(queue, 0, batch.data(), want);
      if (n < 0) {
        kafka::log().error("[{}] consuming failed: {}", label(),
                           rd_kafka_err2str(rd_kafka_last_error()));
        break;
      }
      bool revoked = revocations != before;
      if (n > 0) {
        note_progress();
        out.reserve(out.size() + static_cast<std::size_t>(n)); // one allocation per call
      }
      for (ssize_t i = 0; i < n; ++i) {
        auto* m = batch[i];
        if (m->err)
          on_error_message(m);
        else if ((!revoked && !revoking) || assigned.count(m->partition))
          out.push_back(convert(*m));
        rd_kafka_message_destroy(m);
      }
      if (revoked) {
        // Whatever this poll collected before the revocation belongs to partitions that
        // are no longer ours (the runtime has forgotten them): it must not be emitted.
        auto keep = [this](const message& m) {
          return assigned.count(m.lineage().origins().front().partition) > 0;
        };
        auto dropped = out.end() - std::stable_partition(out.begin(), out.end(), keep);
        out.resize(out.size() - dropped);
        if (dropped > 0)
          kafka::log().debug("[{}] dropped {} fetched messages of revoked partitions", label(),
                             dropped);
      }
      bool rebalanced = revoked || pending_assignment;
      apply_pending_assignment();
      if (failure)
        throw *failure;
      if (static_cast<std::size_t>(n) < want && !rebalanced)
        break; // nothing more ready now
    }
    return out;
  }

  message convert(const rd_kafka_message_t& m) const {
    auto msg = kafka::detail::from_record(m);
    msg.set_schema(config.topic);
    msg.set_lineage(lineage(origin{0, m.partition, m.offset, origin::full_weight}));
    return msg;
  }

  void on_error_message(const rd_kafka_message_t* m) {
    switch (m->err) {
      case RD_KAFKA_RESP_ERR__PARTITION_EOF: return;
      case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN: // as an error event: not ready until they answer
        on_error(rk, m->err, rd_kafka_message_errstr(m));
        return;
      case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
        if (config.auto_offset_reset == kafka::offset_reset::error) {
          failure.emplace(kafka::errc::offset_reset,
                          label() + ": partition " + std::to_string(m->partition)
                              + " has no valid committed offset and auto_offset_reset is "
                                "'error': "
                              + rd_kafka_message_errstr(m));
          kafka::log().error("[{}] {}", label(), failure->what());
          return;
        }
        if (config.strict_offset_reset) {
          failure.emplace(kafka::errc::offset_reset,
                          label() + ": partition " + std::to_string(m->partition)
                              + " has a committed offset it no longer holds and "
                                "strict_offset_reset is true: "
                              + rd_kafka_message_errstr(m));
          kafka::log().error("[{}] {}", label(), failure->what());
          return;
        }
        break;
      default: break;
    }
    if (rd_kafka_fatal_error(rk, nullptr, 0)) {
      failure.emplace(kafka::errc::fatal,
                      label() + ": fatal consumer error: " + rd_kafka_message_errstr(m));
      return;
    }
    kafka::log().warn("[{}] consumer error{}: {} (librdkafka retries)", label(),
                      m->partition >= 0 ? " on partition " + std::to_string(m->partition) : "",
                      rd_kafka_message_errstr(m));
  }

  // -- assignment, pausing, commits --------------------------------------------------

  void apply_pending_assignment() {
    if (!pending_assignment)
      return;
    auto list = std::move(pending_assignment);
    // No offsets given: each partition resumes from its committed offset.
    if (config.strict_offset_reset)
      start_uncommitted_partitions(list.get());
    if (auto err = rd_kafka_assign(rk, list.get())) {
      kafka::log().error("[{}] cannot take partitions {}: {}", label(),
                         kafka::detail::partitions_text(list.get()), rd_kafka_err2str(err));
      return;
    }
    note_progress();
    ever_assigned = true;
    for (int i = 0; i < list->cnt; ++i)
      assigned.insert(list->elems[i].partition);
    if (partitions_paused)
      pause_resume(list.get(), true);
    if (ctx)
      ctx->assigned(partition_ids(list.get()));
  }

  /// Strict offset reset: a partition without a committed offset starts where
  /// `auto_offset_reset` says; the others keep theirs (librdkafka's reset being `error`).
  void start_uncommitted_partitions(rd_kafka_topic_partition_list_t* list) {
    if (auto err = rd_kafka_committed(rk, list, 10000)) {
      failure.emplace(kafka::errc::offset_reset, label()
                                                     + ": cannot read the committed offsets "
                                                       "of partitions "
                                                     + kafka::detail::partitions_text(list) + ": "
                                                     + rd_kafka_err2str(err));
      return;
    }
    for (int i = 0; i < list->cnt; ++i) {
      auto& p = list->elems[i];
      if (p.offset >= 0)
        continue;
      switch (config.auto_offset_reset) {
        case kafka::offset_reset::earliest: p.offset = RD_KAFKA_OFFSET_BEGINNING; break;
        case kafka::offset_reset::latest: p.offset = RD_KAFKA_OFFSET_END; break;
        case kafka::offset_reset::error: p.offset = RD_KAFKA_OFFSET_INVALID; break;
      }
    }
  }

  kafka::detail::partition_list_ptr assigned_list() const {
    kafka::detail::partition_list_ptr list(
        rd_kafka_topic_partition_list_new(static_cast<int>(assigned.size())));
    for (auto p : assigned)
      rd_kafka_topic_partition_list_add(list.get(), config.topic.c_str(), p);
    return list;
  }

  void pause_resume(rd_kafka_topic_partition_list_t* list, bool pause) {
    if (!rk || list->cnt == 0)
      return;
    auto err = pause ? rd_kafka_pause_partitions(rk, list) : rd_kafka_resume_partitions(rk, list);
    if (err)
      kafka::log().error("[{}] cannot {} partitions {}: {}", label(), pause ? "pause" : "resume",
                         kafka::detail::partitions_text(list), rd_kafka_err2str(err));
  }

  // Pausing takes effect in poll, once the pause has lasted pause_grace.
  void set_paused(bool pause) {
    if (paused == pause)
      return;
    paused = pause;
    if (pause) {
      paused_since = std::chrono::steady_clock::now();
      return;
    }
    if (!partitions_paused)
      return;
    partitions_paused = false;
    auto list = assigned_list();
    pause_resume(list.get(), false);
    kafka::log().debug("[{}] resumed partitions {}", label(),
                       kafka::detail::partitions_text(list.get()));
  }

  void commit(const std::vector<partition_offset>& positions) {
    if (!rk)
      return;
    std::map<std::int32_t, std::int64_t> merged;
    for (auto [partition, offset] : retry_commits)
      if (assigned.count(partition))
        merged[partition] = offset;
    retry_commits.clear();
    for (auto& p : positions) {
      if (!assigned.count(p.partition)) {
        // Revoked: its positions went with the revocation, and committing them now could
        // move the new owner's commit back.
        kafka::log().debug("[{}] not committing partition {}: not assigned", label(), p.partition);
        continue;
      }
      auto [it, added] = merged.emplace(p.partition, p.offset);
      if (!added)
        it->second = std::max(it->second, p.offset);
    }
    if (merged.empty())
      return;
    last_commit = std::chrono::steady_clock::now();
    for (auto [partition, offset] : merged)
      last_sent[partition] = offset;
    auto list = make_list(merged);
    commits_sent.push_back(last_commit);
    if (auto err = rd_kafka_commit(rk, list.get(), 1 /* asynchronously */)) {
      commits_sent.pop_back(); // not sent: no answer will come
      kafka::log().warn("[{}] cannot commit {}: {}; retrying", label(), describe(merged),
                        rd_kafka_err2str(err));
      retry_commits = merged;
    }
  }

  kafka::detail::partition_list_ptr
  make_list(const std::map<std::int32_t, std::int64_t>& positions) const {
    kafka::detail::partition_list_ptr list(
        rd_kafka_topic_partition_list_new(static_cast<int>(positions.size())));
    for (auto [partition, offset] : positions)
      rd_kafka_topic_partition_list_add(list.get(), config.topic.c_str(), partition)->offset =
          offset;
    return list;
  }

  static std::string describe(const std::map<std::int32_t, std::int64_t>& positions) {
    std::string text;
    for (auto [partition, offset] : positions) {
      if (!text.empty())
        text += ", ";
      text += "partition " + std::to_string(partition) + " at " + std::to_string(offset);
    }
    return text;
  }
};

kafka_source::kafka_source(kafka::source_config config)
    : impl_(std::make_unique<impl>(std::move(config))) {
  impl_->create();
}

kafka_source::~kafka_source() = default;

void kafka_source::start(source_context& ctx) { impl_->subscribe(ctx); }

bool kafka_source::set_waker(waker wake) {
  impl_->set_waker(std::move(wake));
  return true;
}

std::vector<message> kafka_source::poll(std::size_t max) { return impl_->poll(max); }

void kafka_source::pause() { impl_->set_paused(true); }

void kafka_source::resume() { impl_->set_paused(false); }

void kafka_source::commit(const std::vector<partition_offset>& positions) {
  impl_->commit(positions);
}

void kafka_source::stop() { impl_->close(); }

std::vector<std::int32_t> kafka_source::assignment() const {
  return {impl_->assigned.begin(), impl_->assigned.end()};
}

bool kafka_source::paused() const { return impl_->paused; }

std::string kafka_source::not_ready() const {
  if (!impl_->rk)
    return "the consumer is closed";
  impl_->recheck_brokers();
  if (impl_->brokers_down())
    return "all Kafka brokers are down";
  if (impl_->assigned.empty())
    return "no partitions of topic " + impl_->config.topic + " assigned";
  return {};
}

std::vector<partition_offset> kafka_source::log_ends() const {
  std::vector<partition_offset> ends;
  if (!impl_->rk)
    return ends;
  for (auto p : impl_->assigned) {
    std::int64_t low = -1, high = -1;
    if (rd_kafka_get_watermark_offsets(impl_->rk, impl_->config.topic.c_str(), p, &low, &high)
            == RD_KAFKA_RESP_ERR_NO_ERROR
        && high >= 0)
      ends.push_back({p, high});
  }
  return ends;
}

namespace sources {

source_spec<bytes> kafka(kafka::source_config config) {
  auto detail = "Kafka topic " + config.topic + " as group " + config.consumer_group;
  auto stream = config.topic;
  return {std::move(stream), std::move(detail),
          [config] { return std::make_unique<kafka_source>(config); }, "kafka"};
}

} // namespace sources
} // namespace streams
