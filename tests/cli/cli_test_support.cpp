#include "cli/cli_test_support.hpp"

#include "support/run_process.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <sstream>

namespace streams::test {

using namespace std::chrono_literals;

const std::string streams_bin = STREAMS_BIN;
const std::string example_configs = EXAMPLE_CONFIGS;

outcome run_cli(std::vector<std::string> args, std::map<std::string, std::string> env) {
  temp_directory dir;
  args.insert(args.begin(), streams_bin);
  child_process p(args, dir.path(), std::move(env));
  auto code = p.wait(30s);
  REQUIRE(code.has_value());
  return {*code, p.out(), p.err()};
}

std::size_t count_lines(const std::string& s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

void produce(const std::string& bootstrap, const std::string& topic,
             const std::vector<std::string>& values) {
  std::string input;
  for (auto& v : values)
    input += v + "\n";
  auto r = run_process({"kcat", "-P", "-b", bootstrap, "-t", topic}, input, 30s);
  INFO("kcat -P stderr: " << r.err);
  REQUIRE_FALSE(r.timed_out);
  REQUIRE(r.exit_code == 0);
}

std::vector<std::string> read_topic(const std::string& bootstrap, const std::string& topic) {
  auto r = run_process(
      {"kcat", "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%s\\n"},
      "", 30s);
  INFO("kcat -C stderr: " << r.err);
  REQUIRE_FALSE(r.timed_out);
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> values;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    values.push_back(line);
  return values;
}

std::vector<std::string> read_topic_until(const std::string& bootstrap, const std::string& topic,
                                          std::size_t count, std::chrono::milliseconds limit) {
  std::vector<std::string> values;
  eventually(
      [&] {
        values = read_topic(bootstrap, topic);
        return values.size() >= count;
      },
      limit);
  return values;
}

std::vector<partition_progress> group_progress(const std::string& bootstrap,
                                               const std::string& group, const std::string& topic) {
  static const char* script = R"(
import sys
from confluent_kafka import Consumer, TopicPartition
bootstrap, group, topic = sys.argv[1:4]
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'enable.auto.commit': False,
              'session.timeout.ms': 6000})
parts = sorted(c.list_topics(topic, timeout=10).topics[topic].partitions)
for tp in c.committed([TopicPartition(topic, p) for p in parts], timeout=10):
    low, high = c.get_watermark_offsets(TopicPartition(topic, tp.partition), timeout=10)
    print(tp.partition, tp.offset if tp.offset >= 0 else -1, high)
c.close()
)";
  auto r = run_python(script, {bootstrap, group, topic}, 30s);
  INFO("python committed-offsets stderr: " << r.err);
  REQUIRE_FALSE(r.timed_out);
  REQUIRE(r.exit_code == 0);
  std::vector<partition_progress> progress;
  std::istringstream in(r.out);
  partition_progress p{};
  while (in >> p.partition >> p.committed >> p.end)
    progress.push_back(p);
  REQUIRE_FALSE(progress.empty());
  return progress;
}

bool committed_to_end(const std::vector<partition_progress>& progress) {
  // a partition nothing was written to has nothing to commit
  return std::all_of(progress.begin(), progress.end(), [](auto& p) {
    return p.committed == p.end || (p.end == 0 && p.committed < 0);
  });
}

bool committed_anything(const std::vector<partition_progress>& progress) {
  return std::any_of(progress.begin(), progress.end(), [](auto& p) { return p.committed >= 0; });
}

int stop(child_process& p, int sig) {
  p.signal(sig);
  auto code = p.wait(30s);
  INFO("streams stderr: " << p.err());
  REQUIRE(code.has_value());
  return *code;
}

std::vector<std::string> sorted(std::vector<std::string> values) {
  std::sort(values.begin(), values.end());
  return values;
}

} // namespace streams::test
