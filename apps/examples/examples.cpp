#include "examples.hpp"

namespace streams::examples {

const std::vector<example>& all() {
  static const std::vector<example> list{
      {"simple_map_filter", "keep counter metrics and mark them transformed", simple_map_filter},
      {"blq", "route metrics older than 10 minutes to a backlog queue, broadcast the rest", blq},
      {"broadcast", "greet and bid farewell to every name on two topics", broadcast},
      {"simple_batching", "write metrics in JSON arrays of three", simple_batching},
      {"devnull_benchmark", "read a topic into a DevNull sink, for measuring", devnull_benchmark},
      {"word_counter", "count the words of named events in windows of three per word",
       word_counter},
      {"transformer", "write metrics in JSON arrays of 6-second windows sliding by 2 seconds",
       transformer},
      {"alerts", "aggregate events into alerts (counts, latencies) in windows of three per alert",
       alerts},
      {"billing", "count outcomes by reason and category in windows of three", billing},
      {"spans_buffer", "gather spans into segments of 5-second windows", spans_buffer},
  };
  return list;
}

} // namespace streams::examples
