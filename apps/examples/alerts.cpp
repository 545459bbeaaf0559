// Sentry Streams' alerts: each event becomes one time-series point per alert rule it matches
// (by project, and by tag for projects with rules per tag); the points of each alert are
// aggregated in windows of three, and each window is written as a JSON alert: the event count
// for count alerts, the largest latency (Sentry's stand-in for a p95) for p95 alerts.

#include "examples.hpp"

#include "streams/sources/stream_source.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

namespace streams::examples {

namespace {

/// Sentry's TimeSeriesDataPoint.
struct time_series_point {
  std::int64_t alert_id = 0;
  std::int64_t latency = 0; ///< seconds between the event's `received` and now
  std::string alert_type;   ///< "count" or "p95"
};

/// The alert rules of the app, by alert id: their type (Sentry's REGISTERED_ALERTS; the
/// thresholds it also lists are used by nothing).
const std::map<std::int64_t, std::string>& registered_alerts() {
  static const std::map<std::int64_t, std::string> alerts{{4, "count"}, {5, "count"}, {6, "p95"}};
  return alerts;
}

/// Which alerts a project's events feed (Sentry's REGISTERED_PROJECT_ALERTS): one alert per tag
/// the event carries, or one alert for every event.
struct project_alerts {
  std::map<std::string, std::int64_t, std::less<>> by_tag;
  std::int64_t every_event = 0;
};

const std::map<std::int64_t, project_alerts>& registered_project_alerts() {
  static const std::map<std::int64_t, project_alerts> projects{
      {2, {{{"tag_a", 4}, {"tag_b", 6}}, 0}},
      {1, {{}, 6}},
  };
  return projects;
}

/// Seconds from `received` to now, truncated as Python's int() does.
std::int64_t latency_since(double received) {
  auto seconds = static_cast<double>(now_ms()) / 1000.0 - received;
  if (!std::isfinite(seconds) || std::fabs(seconds) > 1e15)
    throw invalid_message("event's data.received is out of range");
  return static_cast<std::int64_t>(seconds);
}

time_series_point point_for(std::int64_t alert_id, std::int64_t latency) {
  return {alert_id, latency, registered_alerts().at(alert_id)};
}

/// Sentry's materialize_alerts. An event that names an unknown project or tag, or lacks the
/// fields it needs, is invalid as a whole: it yields no point.
std::vector<time_series_point> materialize_alerts(const json& event) {
  auto project_id = event.get_int("project_id");
  if (!project_id)
    throw invalid_message("event has no integer 'project_id'");
  auto project = registered_project_alerts().find(*project_id);
  if (project == registered_project_alerts().end())
    throw invalid_message("no alert rules for project " + std::to_string(*project_id));
  auto data = event.find("data");
  if (!data || !data->IsObject())
    throw invalid_message("event has no object 'data'");
  auto received = data->FindMember("received");
  if (received == data->MemberEnd() || !received->value.IsNumber())
    throw invalid_message("event has no numeric 'data.received'");
  auto latency = latency_since(received->value.GetDouble());

  auto& rules = project->second;
  if (rules.by_tag.empty())
    return {point_for(rules.every_event, latency)};
  std::vector<time_series_point> points;
  auto tags = data->FindMember("tags");
  if (tags == data->MemberEnd() || tags->value.IsNull())
    return points; // `tags or []`
  if (!tags->value.IsArray())
    throw invalid_message("event's 'data.tags' is not a list");
  for (auto& tag : tags->value.GetArray()) {
    if (!tag.IsString())
      throw invalid_message("event's 'data.tags' holds something other than a string");
    auto rule = rules.by_tag.find(std::string_view(tag.GetString(), tag.GetStringLength()));
    if (rule == rules.by_tag.end())
      throw invalid_message("project " + std::to_string(*project_id) + " has no alert for tag '"
                            + tag.GetString() + "'");
    points.push_back(point_for(rule->second, latency));
  }
  return points;
}

/// Sentry's CountAlertData or p95AlertData: what a window of one alert's points amounts to.
struct alert_data {
  std::int64_t alert_id = 0;
  bool p95 = false;       ///< p95AlertData, else CountAlertData
  std::int64_t value = 0; ///< p95_latency, else event_count
};

/// Sentry's AlertsBuffer: the points of one alert in one window.
class alerts_buffer {
public:
  void add(const time_series_point& p) {
    if (p.alert_type == "count")
      ++count_;
    else if (p.alert_type == "p95")
      latencies_.push_back(p.latency);
    else
      return;
    alert_type_ = p.alert_type;
    alert_id_ = p.alert_id;
  }
  void merge(const alerts_buffer& other) {
    latencies_.insert(latencies_.end(), other.latencies_.begin(), other.latencies_.end());
    count_ += other.count_;
    if (alert_type_.empty()) {
      alert_type_ = other.alert_type_;
      alert_id_ = other.alert_id_;
    }
  }
  /// A fake p95, as in Sentry's example: the largest latency.
  alert_data result() const {
    if (alert_type_ == "count")
      return {alert_id_, false, static_cast<std::int64_t>(count_)};
    auto most = std::max_element(latencies_.begin(), latencies_.end());
    return {alert_id_, true, most == latencies_.end() ? 0 : *most};
  }
  void save(std::string& out) const {
    codec::encode(out, alert_id_);
    codec::encode(out, alert_type_);
    codec::encode(out, count_);
    codec::encode(out, latencies_);
  }
  static alerts_buffer load(std::string_view in) {
    alerts_buffer b;
    codec::decode(in, b.alert_id_);
    codec::decode(in, b.alert_type_);
    codec::decode(in, b.count_);
    codec::decode(in, b.latencies_);
    return b;
  }

private:
  std::vector<std::int64_t> latencies_;
  std::uint64_t count_ = 0;
  std::string alert_type_;
  std::int64_t alert_id_ = 0;
};

/// Sentry's build_alert_json.
bytes build_alert_json(const windowed<alert_data>& w) {
  json out;
  out.set("alert_id", w.value.alert_id);
  out.set("alert_name", w.value.p95 ? "p95alert" : "eventcount");
  out.set(w.value.p95 ? "p95_latency" : "event_count", w.value.value);
  return out.dump();
}

} // namespace

void alerts(pipeline& p) {
  p.source("myinput", sources::stream("events"))
      .parse_json("parser")
      .flat_map("myflatmap", materialize_alerts)
      .reduce<alerts_buffer>("myreduce", windows::count(3),
                             [](const time_series_point& p) { return std::to_string(p.alert_id); })
      .map("map_str", build_alert_json)
      .sink("kafkasink", sinks::stream("transformed-events"));
}

} // namespace streams::examples
