// Process-level gauges read from /proc when scraped: uptime, resident
// memory, open file descriptors.
#pragma once

#include <chrono>

#include "metrics/registry.hpp"

namespace sluice::metrics {

void register_process_metrics(Registry& registry, std::chrono::steady_clock::time_point start);
double resident_memory_bytes();
double open_fds();

}  // namespace sluice::metrics
