#include "support/python_producer.hpp"

namespace streams::test {

namespace {

const char* script = R"(
import sys, time
from confluent_kafka import Producer
bootstrap, topic, count, prefix, keys, rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), float(sys.argv[6])
p = Producer({'bootstrap.servers': bootstrap, 'linger.ms': 5})
failed = []
def report(err, msg):
    if err is not None:
        failed.append(str(err))
start = time.time()
for i in range(count):
    if rate > 0:
        wait = start + i / rate - time.time()
        if wait > 0:
            p.poll(wait)
    while True:
        try:
            p.produce(topic, value=('%s-%d' % (prefix, i)).encode(), key=('k%d' % (i % keys)).encode(),
                      headers=[('h', str(i).encode()), ('dup', b'a'), ('dup', b'b')], on_delivery=report)
            break
        except BufferError:
            p.poll(0.1)
    p.poll(0)
left = p.flush(30)
if left or failed:
    print('not delivered: %d left, errors %s' % (left, failed[:3]), file=sys.stderr)
    sys.exit(1)
)";

} // namespace

std::vector<std::string> python_producer(const std::string& bootstrap, const std::string& topic,
                                         int count, const std::string& prefix, int keys,
                                         double rate) {
  return {"/usr/bin/python3",
          "-c",
          script,
          bootstrap,
          topic,
          std::to_string(count),
          prefix,
          std::to_string(keys),
          std::to_string(rate)};
}

} // namespace streams::test
