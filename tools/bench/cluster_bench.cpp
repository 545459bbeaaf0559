// The cluster benchmark (issue 11): what it costs a pipeline to cross from one node to another.
// Two node processes on 127.0.0.1 (this harness started with `--cluster-node`, running
// net::run_node with the harness's own pipeline loader) and a coordinator in the harness
// (net::coordinate) place the source on node a and the rest on node b, so that every message
// crosses the boundary once. Compared in every run, interleaved:
//  - in memory: generator -> map -> counting sink in one process (the local runtime), split
//    over the two nodes, and a plain CAF remote-actor loop between two processes (this harness
//    and a `--caf-receiver` child) shipping the same payloads in batches of 512;
//  - Kafka -> map -> Kafka through the embedded broker (the Kafka benchmark's pipeline), in one
//    process and split over the two nodes.
// Every side must deliver exactly its input: the sink step's messages_in from the run's
// statistics (the CAF loop: the sizes the receiver replies with; Kafka: the output read back).

#include "benchmarks.hpp"
#include "child_process.hpp"
#include "kafka_bench.hpp"

#include "streams/actors/runtime.hpp"
#include "streams/kafka/embedded_broker.hpp"
#include "streams/net/cluster.hpp"
#include "streams/sources/memory_source.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <tuple>

namespace streams::bench {

namespace {

namespace fs = std::filesystem;

/// The environment variable that hands the nodes the cluster secret (never a command line).
const char* const secret_variable = "STREAMS_BENCH_CLUSTER_SECRET";
/// And the harness's process id, so that they end with it.
const char* const parent_variable = "STREAMS_BENCH_PARENT";
constexpr std::size_t loop_batch = 512;
constexpr std::size_t loop_in_flight = 16;

using batch = std::vector<std::string>;

// -- timing across processes ---------------------------------------------------------------
//
// The in-memory sides are timed from the first payload generated to the last one delivered,
// which happen in different processes when the pipeline is split: each writes the steady
// clock (CLOCK_MONOTONIC, the same in every process of the machine) to a file of the run.

void write_stamp(const std::string& dir, const char* name) {
  std::ofstream(dir + "/" + name) << clock::now().time_since_epoch().count() << "\n";
}

clock::time_point read_stamp(const std::string& dir, const char* name) {
  std::ifstream in(dir + "/" + name);
  clock::rep ticks = 0;
  if (!(in >> ticks))
    fail("cluster benchmark: no " + std::string(name) + " stamp in " + dir);
  return clock::time_point(clock::duration(ticks));
}

// -- the pipelines every process builds alike ----------------------------------------------

/// The in-memory sides' 100-byte payload: its index, then filler (cheap to make, so that the
/// source's work is mostly moving it, as in the memory benchmark).
bytes payload(std::size_t i) {
  bytes b(100, 'a');
  std::memcpy(b.data(), &i, sizeof i);
  return b;
}

/// Counts what it is given, and stamps the time when the run's last payload is delivered.
struct counting_sink : sink {
  std::size_t count, delivered = 0;
  std::string stamps;
  counting_sink(std::size_t n, std::string dir) : count(n), stamps(std::move(dir)) {}
  void write(std::vector<message>& batch, delivery_report& report) override {
    for (auto& m : batch)
      report.delivered(m.lineage());
    delivered += batch.size();
    if (delivered == count)
      write_stamp(stamps, "last");
  }
};

/// The in-memory pipeline: `count` 100-byte payloads -> map (one byte changed, a copy) ->
/// counting sink; the source stamps its first payload.
std::shared_ptr<pipeline> memory_pipeline(std::size_t count, const std::string& stamps) {
  auto p = std::make_shared<pipeline>("cluster_bench");
  p->source("source", sources::generate<bytes>(count,
                                               [stamps](std::size_t i) {
                                                 if (i == 0)
                                                   write_stamp(stamps, "first");
                                                 return payload(i);
                                               }))
      .map("map",
           [](const bytes& in) {
             bytes out = in;
             out[99] = 'z';
             return out;
           })
      .sink("sink", sink_spec<bytes>{"count", "", [count, stamps] {
                                       return std::make_unique<counting_sink>(count, stamps);
                                     }});
  return p;
}

/// The loader of every process of a run (the harness, its coordinator and both nodes): the
/// request's app names the pipeline ("memory", "kafka"), its config holds the pipeline's
/// parameters separated by spaces. The first step runs on node a, the rest on node b.
net::loaded_pipeline load(const net::deploy_request& r) {
  std::istringstream config(r.config);
  net::loaded_pipeline out;
  std::string second;
  if (r.app == "memory") {
    std::size_t count = 0;
    std::string stamps;
    config >> count >> stamps;
    auto p = memory_pipeline(count, stamps);
    out.g = &p->graph();
    out.owner = std::move(p);
    second = "map";
  } else if (r.app == "kafka") {
    struct kafka_run {
      probe timing; // unused: the harness times the output topic
      std::unique_ptr<pipeline> p;
    };
    std::string bootstrap, in, to;
    auto run = std::make_shared<kafka_run>();
    config >> bootstrap >> in >> to >> run->timing.target;
    run->p = make_pipeline(bootstrap, in, to, run->timing);
    out.g = &run->p->graph();
    out.owner = std::move(run);
    second = "upper";
  } else
    throw std::runtime_error("cluster benchmark: no pipeline called '" + r.app + "'");
  out.where.segment_of[second] = 1;
  out.where.nodes = {{"a"}, {"b"}};
  return out;
}

/// What the loader is asked for: pipeline `app` with `parameters`.
net::deploy_request request_for(const std::string& app, const std::string& parameters) {
  net::deploy_request r;
  r.app = app;
  r.config = parameters;
  return r;
}

/// Fails unless the run ended well and its sink step took in exactly `count` messages.
void check_run(const run_result& r, const char* sink_step, std::size_t count, const char* side) {
  if (!r.ok)
    fail(std::string(side) + " failed: " + r.failure->what());
  auto* s = r.find(sink_step);
  if (!s || s->messages_in != count)
    fail(std::string(side) + ": the sink took in " + std::to_string(s ? s->messages_in : 0) + " of "
         + std::to_string(count) + " messages");
}

// -- the processes of a run ----------------------------------------------------------------

std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t n = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0
      || ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n) != 0)
    fail("cluster benchmark: no free port on 127.0.0.1");
  ::close(fd);
  return ntohs(a.sin_port);
}

std::string self_path() { return fs::read_symlink("/proc/self/exe").string(); }

std::pair<std::string, std::uint16_t> split_address(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos)
    fail("cluster benchmark: '" + address + "' is not host:port");
  return {address.substr(0, colon),
          static_cast<std::uint16_t>(std::atoi(address.c_str() + colon + 1))};
}

/// A child of the harness ends with it, also when the harness fails (fail() exits without
/// running the destructors that would stop it).
void end_with_parent() {
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  const char* parent = std::getenv(parent_variable);
  if (!parent || ::getppid() != std::atoi(parent))
    fail("the harness that started this process is gone");
}

/// The two nodes of the benchmark, running while it lasts, and the coordinator's view of them.
struct cluster {
  config::cluster_config config;
  std::vector<std::unique_ptr<child_process>> nodes;

  cluster() {
    config.secret = "cluster-bench-" + std::to_string(::getpid()) + "-not-a-real-secret";
    for (const char* name : {"a", "b"}) {
      auto address = "127.0.0.1:" + std::to_string(free_port());
      config.nodes[name] = address;
      nodes.push_back(std::make_unique<child_process>(
          std::vector<std::string>{self_path(), "--cluster-node", name, "--listen", address},
          std::map<std::string, std::string>{{secret_variable, config.secret},
                                             {parent_variable, std::to_string(::getpid())}}));
    }
  }
  ~cluster() {
    for (auto& n : nodes) {
      n->signal(SIGTERM);
      auto status = n->wait(std::chrono::seconds(30));
      if (!status || *status != 0)
        progress("cluster node: %s",
                 status ? n->describe(*status).c_str() : "still running after 30 s");
    }
  }

  run_result run(const std::string& app, const std::string& parameters) {
    // One attempt: a node lost is a failed benchmark, not something to recover from here.
    auto request = request_for(app, parameters);
    return net::coordinate(request, load(request), config, 1);
  }
};

/// A temporary directory for one run's stamps, removed with it.
struct stamp_dir {
  std::string path;
  stamp_dir() {
    std::string pattern = (fs::temp_directory_path() / "streams-bench-XXXXXX").string();
    if (!::mkdtemp(pattern.data()))
      fail("cluster benchmark: cannot make a temporary directory");
    path = pattern;
  }
  ~stamp_dir() { fs::remove_all(path); }
  double rate(std::size_t count) const {
    return static_cast<double>(count)
           / seconds(read_stamp(path, "last") - read_stamp(path, "first")).count();
  }
};

// -- the in-memory sides -------------------------------------------------------------------

double memory_local(std::size_t count) {
  stamp_dir stamps;
  auto loaded = load(request_for("memory", std::to_string(count) + " " + stamps.path));
  runtime r(*loaded.g, loaded.options);
  r.start();
  check_run(r.wait(), "sink", count, "in-memory pipeline in one process");
  return stamps.rate(count);
}

double memory_split(cluster& c, std::size_t count) {
  stamp_dir stamps;
  check_run(c.run("memory", std::to_string(count) + " " + stamps.path), "sink", count,
            "in-memory pipeline over two nodes");
  return stamps.rate(count);
}

void configure_caf(caf::actor_system_config& cfg) {
  cfg.load<caf::io::middleman>();
  cfg.add_message_type<batch>("bench.batch");
  cfg.set("logger.verbosity", caf::atom("quiet"));
}

/// The plain CAF loop: `count` payloads in batches of 512 to the receiver at `address`, 16
/// batches in flight, each answered with its size. Timed from the first batch sent to the
/// last answer (the connection is made before).
double caf_loop(const std::string& address, std::size_t count) {
  caf::actor_system_config cfg;
  configure_caf(cfg);
  caf::actor_system sys{cfg};
  auto [host, port] = split_address(address);
  auto deadline = clock::now() + std::chrono::seconds(30);
  auto receiver = sys.middleman().remote_actor(host, port);
  while (!receiver && clock::now() < deadline) { // the receiver may still be starting
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    receiver = sys.middleman().remote_actor(host, port);
  }
  if (!receiver)
    fail("CAF loop: cannot reach the receiver at " + address + ": " + sys.render(receiver.error()));
  batch full;
  for (std::size_t i = 0; i < loop_batch; ++i)
    full.push_back(payload(i));
  caf::scoped_actor self{sys};
  std::size_t sent = 0, answered = 0;
  auto send_next = [&] {
    auto n = std::min(loop_batch, count - sent);
    self->send(*receiver, n == loop_batch ? full : batch(full.begin(), full.begin() + n));
    sent += n;
  };
  auto start = clock::now();
  while (sent < count && sent < loop_in_flight * loop_batch)
    send_next();
  while (answered < count) {
    bool late = false;
    self->receive(
        [&](std::uint64_t n) {
          answered += n;
          if (sent < count)
            send_next();
        },
        caf::after(std::chrono::seconds(30)) >> [&] { late = true; });
    if (late)
      fail("CAF loop: " + std::to_string(answered) + " of " + std::to_string(count)
           + " answered, then nothing for 30 s");
  }
  auto elapsed = seconds(clock::now() - start).count();
  if (answered != count)
    fail("CAF loop: the receiver took " + std::to_string(answered) + " of " + std::to_string(count)
         + " messages");
  return static_cast<double>(count) / elapsed;
}

// -- the Kafka sides -----------------------------------------------------------------------

/// Runs the Kafka pipeline (in one process or split) from `in` to `out`, timed from the first
/// output record the harness reads back to the last (the first consumer group member's
/// start-up wait is excluded), and checks the output.
template <class Run>
double kafka_side(const std::string& bootstrap, const std::string& in, const std::string& out,
                  std::size_t count, const char* side, Run run) {
  topic_reader reader(bootstrap, out, partitions, [](const rd_kafka_message_t&, auto) {});
  run(bootstrap + " " + in + " " + out + " " + std::to_string(count));
  if (!reader.wait_for(count, std::chrono::seconds(60)))
    fail(std::string(side) + ": " + std::to_string(reader.count()) + " of " + std::to_string(count)
         + " records read back within 60 s");
  reader.stop();
  auto rate = static_cast<double>(count) / seconds(reader.last() - reader.first()).count();
  check_output(bootstrap, out, count, side);
  return rate;
}

} // namespace

void cluster_node(const options& o) {
  end_with_parent();
  const char* secret = std::getenv(secret_variable);
  if (!secret)
    fail(std::string("--cluster-node: no secret in ") + secret_variable);
  net::node_options n;
  n.name = o.cluster_node;
  std::tie(n.host, n.port) = split_address(o.listen);
  n.secret = secret;
  n.data_dir = (fs::temp_directory_path() / ("streams-bench-node-" + n.name)).string();
  std::exit(net::run_node(n, load));
}

void caf_receiver(const options& o) {
  end_with_parent();
  caf::actor_system_config cfg;
  configure_caf(cfg);
  caf::actor_system sys{cfg};
  auto receiver = sys.spawn([]() -> caf::behavior {
    return {[](const batch& b) { return static_cast<std::uint64_t>(b.size()); }};
  });
  auto [host, port] = split_address(o.caf_receiver);
  auto published = sys.middleman().publish(receiver, port, host.c_str(), true);
  if (!published)
    fail("--caf-receiver: cannot listen on " + o.caf_receiver + ": "
         + sys.render(published.error()));
  // Serves until the harness ends it with SIGTERM.
  for (;;)
    ::pause();
}

void cluster_benchmark(const options& o) {
  const std::size_t count = o.cluster_messages;
  const std::size_t kafka_count = o.kafka_per_partition * partitions;
  cluster nodes;
  auto receiver_address = "127.0.0.1:" + std::to_string(free_port());
  child_process receiver({self_path(), "--caf-receiver", receiver_address},
                         {{parent_variable, std::to_string(::getpid())}});

  enum side { local_s, split_s, loop_s, kafka_local_s, kafka_split_s, sides };
  const char* const names[] = {"one process", "two nodes", "plain CAF loop", "Kafka, one process",
                               "Kafka, two nodes"};
  std::vector<double> rates[sides];
  for (int run = 0; run < o.runs; ++run) {
    for (int k = 0; k < 3; ++k) {
      auto s = static_cast<side>((run + k) % 3); // rotate which side goes first
      double r = s == local_s   ? memory_local(count)
                 : s == split_s ? memory_split(nodes, count)
                                : caf_loop(receiver_address, count);
      rates[s].push_back(r);
      progress("cluster run %d/%d: in memory, %s %s M msg/s (%zu delivered)", run + 1, o.runs,
               names[s], millions(r).c_str(), count);
    }
    kafka::embedded_broker broker(1);
    auto bootstrap = broker.bootstrap_servers();
    for (int k = 0; k < 2; ++k) {
      auto s = static_cast<side>(kafka_local_s + (run + k) % 2);
      auto in = unique_name("cluster-in"), out = unique_name("cluster-out");
      broker.create_topic(in, partitions);
      broker.create_topic(out, partitions);
      produce_all(bootstrap, in, kafka_count, make_record);
      double r = kafka_side(bootstrap, in, out, kafka_count, names[s], [&](const std::string& p) {
        if (s == kafka_split_s) {
          check_run(nodes.run("kafka", p), "output", kafka_count, names[s]);
          return;
        }
        auto loaded = load(request_for("kafka", p));
        runtime rt(*loaded.g, loaded.options);
        rt.start();
        check_run(rt.wait(), "output", kafka_count, names[s]);
      });
      rates[s].push_back(r);
      progress("cluster run %d/%d: %s %s M msg/s (%zu records, checked)", run + 1, o.runs, names[s],
               millions(r).c_str(), kafka_count);
    }
  }

  std::printf("## A pipeline split over two nodes (issue 11)\n\n");
  paragraph(format(
      "Two `streams node` processes on 127.0.0.1 (the harness itself started as nodes, running "
      "`net::run_node` with the harness's pipelines) and a coordinator in the harness "
      "(`net::coordinate`) place each pipeline's source on node a and its map and sink on node "
      "b, so that every message crosses the boundary once, as encoded batches over CAF's "
      "middleman. In memory: %zu generated 100-byte payloads -> map (a copy, one byte changed) "
      "-> counting sink, in one process on the local runtime and split over the two nodes, "
      "timed from the first payload generated to the last delivered (both stamped with the "
      "machine's monotonic clock by the processes where they happen: connecting, deploying and "
      "wiring are excluded); against a plain CAF remote-actor loop between the harness and a "
      "child process that ships the same payloads as `std::vector<std::string>` batches of %zu, "
      "%zu batches in flight, one reply per batch, timed from the first batch sent to the last "
      "reply (the connection made before). Kafka: the Kafka benchmark's pipeline (%zu records, "
      "4 partitions, upper-cased into a fresh topic) in one process and split over the two "
      "nodes, timed from the first output record the harness reads back to the last. Every side "
      "must deliver exactly its input: the sink step's messages_in from the run's statistics "
      "(summed over the nodes), the receiver's replies, and the output topics read back. "
      "Floors (issue 11): in memory, two nodes >= 1 M msg/s and >= 0.35 of the plain CAF loop; "
      "Kafka, two nodes >= 0.5 of one process.",
      count, loop_batch, loop_in_flight, kafka_count));
  std::printf("Command: `build-bench/tools/streams_bench --only cluster --runs %d`\n\n", o.runs);
  print_rates(names, rates, sides, o.runs);
  std::printf(
      "%s\n",
      ratio_row("in memory: two nodes / one process", rates[split_s], rates[local_s]).c_str());
  std::printf("%s\n", ratio_row("in memory: two nodes / plain CAF loop", rates[split_s],
                                rates[loop_s], 0.35)
                          .c_str());
  std::printf("%s\n", ratio_row("Kafka: two nodes / one process", rates[kafka_split_s],
                                rates[kafka_local_s], 0.5)
                          .c_str());
  auto split = median(rates[split_s]);
  std::printf("\nFloor: two nodes in memory >= 1 M msg/s: %s M msg/s, %s.\n\n",
              millions(split).c_str(), split >= 1e6 ? "PASS" : "FAIL");
  paragraph(
      "Where the time goes (perf on both nodes during the in-memory split, 2026-12-02): node b, "
      "which decodes, maps and sinks, is the busier; about 40% of its samples are in the kernel "
      "(this VM's paravirtualized interrupt enabling around socket reads and thread wake-ups), the "
      "rest spread thinly over decoding the batches (decode_message, moving the decoded strings "
      "into messages), CAF's deserialization in the middleman, the map and the sink, and "
      "serializing the acks that go back to node a with their batches' origins (then a "
      "std::vector<origin>; offset ranges since, not profiled again), deserialized again on node "
      "a. Node a's share is encoding (string "
      "appends and copies in encode_message) and CAF's serializer; no function of either node "
      "takes more than about 5%. The plain CAF loop ships one prebuilt batch over and over and "
      "does no per-message work on either side; the one-process pipeline hands messages between "
      "actors without copying or encoding them, which is why the split runs at a fraction of it. "
      "The Kafka pipeline is bound by the embedded broker and librdkafka either way, so crossing "
      "a node costs it little. On a machine shared with other builds (load 4-6 on 2 cores) the "
      "CAF loop swung between 1.0 and 4.0 M msg/s from run to run and the in-memory split between "
      "0.9 and 1.5 M msg/s: the 1 M msg/s floor holds, with little margin.");
}

} // namespace streams::bench
