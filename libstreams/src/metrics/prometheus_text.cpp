#include "streams/metrics/prometheus_text.hpp"

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <limits>
#include <sstream>

namespace streams::metrics {

namespace {

std::string prometheus_name(std::string name) {
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

prometheus::MetricType prometheus_type(sample::kind_t k) {
  switch (k) {
    case sample::counter: return prometheus::MetricType::Counter;
    case sample::gauge: return prometheus::MetricType::Gauge;
    case sample::histogram: return prometheus::MetricType::Histogram;
  }
  return prometheus::MetricType::Untyped;
}

prometheus::ClientMetric to_metric(const sample& s,
                                   const std::map<std::string, std::string>& tags) {
  prometheus::ClientMetric m;
  for (auto& [k, v] : tags)
    m.label.push_back({k, v});
  for (auto& [k, v] : s.tags)
    m.label.push_back({k, v});
  switch (s.kind) {
    case sample::counter: m.counter.value = s.value; break;
    case sample::gauge: m.gauge.value = s.value; break;
    case sample::histogram: {
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < histogram::bounds.size(); ++i) {
        cumulative += s.buckets.counts[i];
        m.histogram.bucket.push_back({cumulative, histogram::bounds[i]});
      }
      m.histogram.sample_count = s.buckets.count();
      m.histogram.bucket.push_back(
          {m.histogram.sample_count, std::numeric_limits<double>::infinity()});
      m.histogram.sample_sum = s.buckets.sum;
      break;
    }
  }
  return m;
}

} // namespace

std::string prometheus_text(const std::vector<sample>& samples,
                            const std::map<std::string, std::string>& tags) {
  // One family per name, in the order the names first appear.
  std::vector<prometheus::MetricFamily> families;
  for (auto& s : samples) {
    auto name = prometheus_name(s.name);
    auto f = std::find_if(families.begin(), families.end(),
                          [&](const prometheus::MetricFamily& x) { return x.name == name; });
    if (f == families.end()) {
      f = families.insert(families.end(), prometheus::MetricFamily{});
      f->name = name;
      f->help = s.name;
      f->type = prometheus_type(s.kind);
    }
    f->metric.push_back(to_metric(s, tags));
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

} // namespace streams::metrics
