#include "admin/prometheus_text.hpp"

#include <charconv>
#include <cmath>

namespace sluice::admin {
namespace {

void append_escaped(std::string& out, const std::string& value, bool help) {
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && !help) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

void append_labels(std::string& out, const metrics::Labels& labels,
                   const char* extra_name = nullptr, const std::string& extra_value = "") {
  if (labels.empty() && !extra_name) return;
  out += '{';
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += k;
    out += "=\"";
    append_escaped(out, v, false);
    out += '"';
  }
  if (extra_name) {
    if (!first) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

const char* type_name(metrics::Kind kind) {
  switch (kind) {
    case metrics::Kind::kCounter:
      return "counter";
    case metrics::Kind::kGauge:
      return "gauge";
    case metrics::Kind::kHistogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

std::string prometheus_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

std::string render_prometheus(const metrics::Registry& registry) {
  std::string out;
  out.reserve(16384);
  registry.for_each([&](const metrics::Family& f) {
    if (f.series.empty()) return;
    out += "# HELP " + f.name + " ";
    append_escaped(out, f.help.empty() ? f.name : f.help, true);
    out += "\n# TYPE " + f.name + " " + type_name(f.kind) + "\n";
    for (const auto& s : f.series) {
      switch (f.kind) {
        case metrics::Kind::kCounter:
          out += f.name;
          append_labels(out, s.labels);
          out += " " + prometheus_number(s.counter.value()) + "\n";
          break;
        case metrics::Kind::kGauge:
          out += f.name;
          append_labels(out, s.labels);
          out += " " + prometheus_number(s.sample ? s.sample() : s.gauge.value()) + "\n";
          break;
        case metrics::Kind::kHistogram: {
          const auto& bounds = metrics::Histogram::kBounds;
          const auto cumulative = s.histogram.cumulative_snapshot();
          for (size_t i = 0; i <= bounds.size(); ++i) {
            out += f.name + "_bucket";
            append_labels(out, s.labels, "le",
                          i < bounds.size() ? prometheus_number(bounds[i]) : "+Inf");
            out += " " + std::to_string(cumulative[i]) + "\n";
          }
          out += f.name + "_sum";
          append_labels(out, s.labels);
          out += " " + prometheus_number(s.histogram.sum()) + "\n";
          out += f.name + "_count";
          append_labels(out, s.labels);
          // The +Inf bucket, so _count always equals it within one scrape.
          out += " " + std::to_string(cumulative[bounds.size()]) + "\n";
          break;
        }
      }
    }
  });
  return out;
}

}  // namespace sluice::admin
