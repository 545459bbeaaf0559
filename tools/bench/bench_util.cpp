#include "bench_util.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace streams::bench {

bool options::selected(const std::string& name) const {
  return only.empty() || std::find(only.begin(), only.end(), name) != only.end();
}

bool options::has_side(const std::string& name) const {
  return sides.empty() || std::find(sides.begin(), sides.end(), name) != sides.end();
}

double median(std::vector<double> v) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  auto n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  auto rank = static_cast<std::size_t>(std::ceil(p / 100 * static_cast<double>(v.size())));
  return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

std::string millions(double per_second) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", per_second / 1e6);
  return text;
}

std::string millions_list(const std::vector<double>& per_second) {
  std::string text;
  for (auto r : per_second)
    text += (text.empty() ? "" : ", ") + millions(r);
  return text;
}

std::vector<double> ratios(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> out;
  if (a.size() != b.size())
    return out;
  for (std::size_t i = 0; i < a.size(); ++i)
    out.push_back(a[i] / b[i]);
  return out;
}

void print_rates(const char* const names[], const std::vector<double> rates[], int sides,
                 int runs) {
  std::printf("| side | messages/s (median of %d) | every run (M msg/s) |\n|---|---|---|\n", runs);
  for (int s = 0; s < sides; ++s)
    std::printf("| %s | %s M | %s |\n", names[s], millions(median(rates[s])).c_str(),
                millions_list(rates[s]).c_str());
  std::printf("\n| ratio | of the medians | median of the per-run ratios | floor | |\n"
              "|---|---|---|---|---|\n");
}

void print_rates(const std::vector<std::string>& names,
                 const std::vector<std::vector<double>>& rates, int runs) {
  std::vector<const char*> name_ptrs;
  for (auto& name : names)
    name_ptrs.push_back(name.c_str());
  print_rates(name_ptrs.data(), rates.data(), static_cast<int>(rates.size()), runs);
}

std::string ratio_row(const std::string& what, const std::vector<double>& a,
                      const std::vector<double>& b, double floor) {
  char text[256];
  if (a.empty() || b.empty()) {
    std::snprintf(text, sizeof text, "| %s | n/a | n/a | >= %g | not run |", what.c_str(), floor);
    return text;
  }
  auto r = median(a) / median(b);
  std::snprintf(text, sizeof text, "| %s | %.2f | %.2f | >= %g | %s |", what.c_str(), r,
                median(ratios(a, b)), floor, r >= floor ? "PASS" : "FAIL");
  return text;
}

std::string ratio_row(const std::string& what, const std::vector<double>& a,
                      const std::vector<double>& b) {
  if (a.empty() || b.empty())
    return "| " + what + " | n/a | n/a | | not run |";
  return streams::bench::format("| %s | %.2f | %.2f | | |", what.c_str(), median(a) / median(b),
                                median(ratios(a, b)));
}

std::string format(const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list again;
  va_copy(again, args);
  auto n = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  std::string text(static_cast<std::size_t>(n), '\0');
  std::vsnprintf(text.data(), text.size() + 1, format, again);
  va_end(again);
  return text;
}

void paragraph(const std::string& text) {
  constexpr std::size_t width = 100;
  std::string line;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find(' ', pos);
    if (end == std::string::npos)
      end = text.size();
    auto word = text.substr(pos, end - pos);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      std::printf("%s\n", line.c_str());
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    pos = end + 1;
  }
  if (!line.empty())
    std::printf("%s\n", line.c_str());
  std::printf("\n");
}

void progress(const char* format, ...) {
  va_list args;
  va_start(args, format);
  std::fputs("bench: ", stderr);
  std::vfprintf(stderr, format, args);
  std::fputc('\n', stderr);
  va_end(args);
}

void fail(const std::string& why) {
  std::fprintf(stderr, "bench: FAILED: %s\n", why.c_str());
  std::exit(1);
}

std::string unique_name(const std::string& what) {
  static std::atomic<int> counter{0};
  return "bench-" + std::to_string(++counter) + "-" + what;
}

} // namespace streams::bench
