#include "streams/metrics/prometheus_text.hpp"

#include "streams/metrics/dogstatsd_client.hpp"
#include "streams/metrics/metric_names.hpp"
#include "streams/metrics/periodic_reporter.hpp"

#include <doctest/doctest.h>

#include "support/udp_receiver.hpp"

#include <atomic>
#include <thread>

using namespace streams::metrics;

namespace {

metrics_registry& example(metrics_registry& r) {
  auto& m = r.add("parser", step_role::transform);
  m.messages_in.add(42);
  m.duration.observe(0.003);
  return r;
}

} // namespace

TEST_SUITE("metrics.exporters") {
  TEST_CASE("prometheus: underscores for dots, labels, cumulative buckets") {
    metrics_registry r("p");
    auto text = prometheus_text(example(r).collect(), {{"env", "test"}});
    CHECK(text.find("# TYPE streams_pipeline_input_messages counter\n") != std::string::npos);
    CHECK(text.find(
              "streams_pipeline_input_messages{env=\"test\",pipeline=\"p\",step=\"parser\"} 42\n")
          != std::string::npos);
    CHECK(text.find("streams_pipeline_duration_bucket{env=\"test\",pipeline=\"p\",step=\"parser\","
                    "le=\"0.0025\"} 0\n")
          != std::string::npos);
    CHECK(text.find("le=\"0.005\"} 1\n") != std::string::npos);
    CHECK(text.find("le=\"+Inf\"} 1\n") != std::string::npos);
    CHECK(text.find(
              "streams_pipeline_duration_count{env=\"test\",pipeline=\"p\",step=\"parser\"} 1\n")
          != std::string::npos);
  }

  TEST_CASE("dogstatsd: increments, tags and timings on a real UDP socket") {
    streams::test::udp_receiver udp;
    auto receive = [&] { return udp.receive(std::chrono::seconds(5)); };

    metrics_registry r("p");
    auto& m = example(r).steps().front();
    dogstatsd_client client("127.0.0.1", udp.port(), {{"env", "a|b"}});
    client.send(r.collect());
    auto first = receive();
    CHECK(first.find("streams.pipeline.input.messages:42|c|#env:a_b,pipeline:p,step:parser")
          != std::string::npos);
    CHECK(first.find("streams.pipeline.duration:3|ms|#env:a_b,pipeline:p,step:parser")
          != std::string::npos);
    CHECK(first.find("streams.pipeline.in_flight:0|g|") != std::string::npos);
    m.messages_in.add(8);
    client.send(r.collect());
    auto second = receive();
    CHECK(second.find("streams.pipeline.input.messages:8|c|") != std::string::npos);
    CHECK(second.find("streams.pipeline.duration:") == std::string::npos); // nothing new
  }

  TEST_CASE("log lines, and a periodic reporter that reports once more when it ends") {
    metrics_registry r("p");
    example(r);
    auto lines = log_lines(r.collect(), {{"env", "x"}});
    CHECK(std::find(lines.begin(), lines.end(),
                    "metric=streams.pipeline.input.messages env=x pipeline=p step=parser value=42")
          != lines.end());
    CHECK(
        std::find(lines.begin(), lines.end(),
                  "metric=streams.pipeline.duration env=x pipeline=p step=parser count=1 sum=0.003")
        != lines.end());

    std::atomic<int> reports{0};
    std::atomic<double> last{0};
    {
      periodic_reporter reporter(r, std::chrono::hours(1), [&](const std::vector<sample>& s) {
        ++reports;
        last = s.front().value;
      });
      r.steps().front().messages_in.add(1);
    }
    CHECK(reports == 1); // the period never came: only the last report
    CHECK(last == 43);
  }
}
