// Renders the metrics registry in the Prometheus text exposition format
// (version 0.0.4): HELP and TYPE once per family, escaped label values,
// cumulative histogram buckets with +Inf, _sum and _count.
#pragma once

#include <string>

#include "metrics/registry.hpp"

namespace sluice::admin {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string render_prometheus(const metrics::Registry& registry);

// A number as Prometheus expects it: shortest round-trip form, +Inf, -Inf, NaN.
std::string prometheus_number(double value);

}  // namespace sluice::admin
