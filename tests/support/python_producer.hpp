#pragma once

// An independent Kafka producer for tests: confluent-kafka, run by Debian's /usr/bin/python3.

#include <string>
#include <vector>

namespace streams::test {

/// The command line of a producer writing `count` messages to `topic`: value "<prefix>-<i>",
/// key "k<i % keys>", headers [("h", "<i>"), ("dup", "a"), ("dup", "b")], for i from 0, at
/// `rate` messages a second (as fast as it can when 0). It exits 0 once every message is
/// delivered, and 1 otherwise, saying why on standard error.
std::vector<std::string> python_producer(const std::string& bootstrap, const std::string& topic,
                                         int count, const std::string& prefix = "m", int keys = 7,
                                         double rate = 0);

} // namespace streams::test
