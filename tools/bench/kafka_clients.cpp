#include "kafka_clients.hpp"

#include <cstring>

namespace streams::bench {

void client_deleter::operator()(rd_kafka_t* rk) const {
  if (rd_kafka_type(rk) == RD_KAFKA_CONSUMER)
    rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
}

client_ptr make_client(rd_kafka_type_t type, const properties& props, void* opaque,
                       const std::function<void(rd_kafka_conf_t*)>& configure) {
  auto* conf = rd_kafka_conf_new();
  char errstr[512];
  auto set = [&](const std::string& name, const std::string& value) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr)
        != RD_KAFKA_CONF_OK)
      fail("librdkafka property " + name + "=" + value + ": " + errstr);
  };
  set("log_level", "3"); // errors only: the harness's standard error is its progress report
  for (auto& [name, value] : props)
    set(name, value);
  if (opaque)
    rd_kafka_conf_set_opaque(conf, opaque);
  if (configure)
    configure(conf);
  auto* rk = rd_kafka_new(type, conf, errstr, sizeof errstr);
  if (!rk)
    fail(std::string("cannot create a Kafka client: ") + errstr);
  if (type == RD_KAFKA_CONSUMER)
    rd_kafka_poll_set_consumer(rk);
  return client_ptr(rk);
}

namespace {

void count_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* counts = static_cast<std::pair<std::size_t, std::size_t>*>(opaque);
  (m->err ? counts->second : counts->first)++;
}

// Assigns `partitions` of `topic` from their first offsets to a consumer without a group.
client_ptr assigned_reader(const std::string& bootstrap, const std::string& topic, int partitions) {
  auto consumer = make_client(RD_KAFKA_CONSUMER, {{"bootstrap.servers", bootstrap},
                                                  {"group.id", unique_name("reader")},
                                                  {"enable.auto.commit", "false"},
                                                  {"fetch.wait.max.ms", "10"}});
  auto* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p)
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  auto err = rd_kafka_assign(consumer.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err)
    fail("cannot assign " + topic + ": " + rd_kafka_err2str(err));
  return consumer;
}

} // namespace

void produce_all(const std::string& bootstrap, const std::string& topic, std::size_t count,
                 const record_maker& make) {
  std::pair<std::size_t, std::size_t> counts; // delivered, failed
  auto producer = make_client(
      RD_KAFKA_PRODUCER,
      {{"bootstrap.servers", bootstrap},
       {"linger.ms", "20"},
       {"queue.buffering.max.messages", "1000000"}},
      &counts, [](rd_kafka_conf_t* c) { rd_kafka_conf_set_dr_msg_cb(c, count_delivery); });
  std::string key, value;
  for (std::size_t i = 0; i < count; ++i) {
    make(i, key, value);
    for (;;) {
      auto err = rd_kafka_producev(producer.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
                                   RD_KAFKA_V_KEY(key.data(), key.size()),
                                   RD_KAFKA_V_VALUE(value.data(), value.size()),
                                   RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(producer.get(), 10);
        continue;
      }
      if (err)
        fail("producing to " + topic + ": " + rd_kafka_err2str(err));
      break;
    }
  }
  rd_kafka_flush(producer.get(), 60000);
  if (counts.first != count)
    fail("producing to " + topic + ": " + std::to_string(counts.first) + " of "
         + std::to_string(count) + " delivered, " + std::to_string(counts.second) + " failed");
}

std::size_t read_all(const std::string& bootstrap, const std::string& topic, int partitions,
                     const record_handler& on_record) {
  auto consumer = assigned_reader(bootstrap, topic, partitions);
  std::vector<std::int64_t> end(partitions), position(partitions);
  std::size_t expected = 0;
  for (int p = 0; p < partitions; ++p) {
    std::int64_t low = 0, high = 0;
    if (auto err =
            rd_kafka_query_watermark_offsets(consumer.get(), topic.c_str(), p, &low, &high, 10000))
      fail("watermarks of " + topic + ": " + rd_kafka_err2str(err));
    if (low != 0)
      fail(topic + " partition " + std::to_string(p) + " starts at offset " + std::to_string(low)
           + ": the broker dropped its oldest records (more than it keeps per partition)");
    end[p] = high;
    position[p] = low;
    expected += static_cast<std::size_t>(high - low);
  }
  std::size_t n = 0;
  auto deadline = clock::now() + std::chrono::seconds(60);
  while (n < expected) {
    if (clock::now() > deadline)
      fail("reading " + topic + ": only " + std::to_string(n) + " of " + std::to_string(expected)
           + " records within 60 s");
    auto* m = rd_kafka_consumer_poll(consumer.get(), 100);
    if (!m)
      continue;
    if (!m->err) {
      if (m->offset < end[m->partition]) {
        on_record(*m, clock::now());
        ++n;
      }
    } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      fail("reading " + topic + ": " + rd_kafka_message_errstr(m));
    }
    rd_kafka_message_destroy(m);
  }
  return n;
}

topic_reader::topic_reader(const std::string& bootstrap, const std::string& topic, int partitions,
                           record_handler on_record)
    : on_record_(std::move(on_record)) {
  auto consumer = assigned_reader(bootstrap, topic, partitions);
  thread_ = std::thread([this, c = std::move(consumer)]() mutable { run(std::move(c)); });
}

topic_reader::~topic_reader() { stop(); }

void topic_reader::run(client_ptr consumer) {
  auto* queue = rd_kafka_queue_get_consumer(consumer.get());
  std::vector<rd_kafka_message_t*> batch(1024);
  while (!stop_.load()) {
    auto n = rd_kafka_consume_batch_queue(queue, 50, batch.data(), batch.size());
    auto now = clock::now();
    for (ssize_t i = 0; i < n; ++i) {
      auto* m = batch[i];
      if (!m->err) {
        on_record_(*m, now);
        // Times first: whoever sees the count may read them.
        if (count_.load() == 0)
          first_ = now.time_since_epoch().count();
        last_ = now.time_since_epoch().count();
        count_.fetch_add(1);
      } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        progress("reader: %s", rd_kafka_message_errstr(m));
      }
      rd_kafka_message_destroy(m);
    }
  }
  rd_kafka_queue_destroy(queue);
}

bool topic_reader::wait_for(std::size_t n, std::chrono::milliseconds timeout) const {
  auto deadline = clock::now() + timeout;
  while (count_.load() < n) {
    if (clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

clock::time_point topic_reader::first() const { return clock::time_point(clock::duration(first_)); }

clock::time_point topic_reader::last() const { return clock::time_point(clock::duration(last_)); }

void topic_reader::stop() {
  stop_ = true;
  if (thread_.joinable())
    thread_.join();
}

namespace {

struct loop_counts {
  std::size_t delivered = 0, failed = 0;
};

void count_report(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* c = static_cast<loop_counts*>(opaque);
  (m->err ? c->failed : c->delivered)++;
}

} // namespace

double plain_loop(const std::string& bootstrap, const std::string& in, const std::string& out,
                  std::size_t count, const record_transform& transform,
                  const std::atomic<bool>* stop, const properties& consumer_props) {
  loop_counts counts;
  // The consumer and producer settings of the pipeline's Kafka source and sink that matter.
  properties cprops{{"bootstrap.servers", bootstrap},
                    {"group.id", unique_name("loop-group")},
                    {"auto.offset.reset", "earliest"},
                    {"partition.assignment.strategy", "range"},
                    {"queued.min.messages", "1000000"}};
  cprops.insert(cprops.end(), consumer_props.begin(), consumer_props.end());
  auto consumer = make_client(RD_KAFKA_CONSUMER, cprops);
  auto producer = make_client(
      RD_KAFKA_PRODUCER, {{"bootstrap.servers", bootstrap}, {"enable.idempotence", "true"}},
      &counts, [](rd_kafka_conf_t* c) { rd_kafka_conf_set_dr_msg_cb(c, count_report); });
  // The topic handle up front, as kafka_sink makes it: librdkafka then fetches the topic's
  // metadata while the group forms, instead of holding the first records back for up to 1 s.
  auto* topic = rd_kafka_topic_new(producer.get(), out.c_str(), nullptr);
  auto* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, in.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(consumer.get(), topics);
  rd_kafka_topic_partition_list_destroy(topics);
  auto* queue = rd_kafka_queue_get_consumer(consumer.get());

  std::vector<rd_kafka_message_t*> batch(512);
  std::string value;
  std::size_t consumed = 0, produced = 0;
  clock::time_point first;
  while (consumed < count && !(stop && stop->load())) {
    // What is ready now (a timeout would hold a partial batch back); when nothing is, serve
    // delivery reports for up to 1 ms.
    auto n = rd_kafka_consume_batch_queue(queue, 0, batch.data(), batch.size());
    for (ssize_t i = 0; i < n; ++i) {
      auto* m = batch[i];
      if (!m->err) {
        if (consumed++ == 0)
          first = clock::now();
        if (transform(*m, value)) {
          ++produced;
          for (;;) {
            auto err = rd_kafka_producev(producer.get(), RD_KAFKA_V_RKT(topic),
                                         RD_KAFKA_V_KEY(m->key, m->key_len),
                                         RD_KAFKA_V_VALUE(value.data(), value.size()),
                                         RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
            if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
              if (err)
                fail(std::string("plain loop: producing: ") + rd_kafka_err2str(err));
              break;
            }
            rd_kafka_poll(producer.get(), 10);
          }
        }
      }
      rd_kafka_message_destroy(m);
    }
    rd_kafka_poll(producer.get(), n > 0 ? 0 : 1);
  }
  rd_kafka_flush(producer.get(), 60000);
  auto last = clock::now();
  rd_kafka_queue_destroy(queue);
  rd_kafka_topic_destroy(topic);
  if (counts.delivered != produced)
    fail("plain loop: " + std::to_string(counts.delivered) + " of " + std::to_string(produced)
         + " delivered, " + std::to_string(counts.failed) + " failed");
  return static_cast<double>(consumed) / seconds(last - first).count();
}

} // namespace streams::bench
