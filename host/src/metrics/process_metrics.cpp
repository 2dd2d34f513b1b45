#include "metrics/process_metrics.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace sluice::metrics {

double resident_memory_bytes() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  if (!(statm >> pages_total >> pages_resident)) return 0;
  return static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

double open_fds() {
  std::error_code ec;
  double n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++n;
  return n > 0 ? n - 1 : 0;  // minus the descriptor the listing itself holds
}

void register_process_metrics(Registry& registry, std::chrono::steady_clock::time_point start) {
  registry.sampled_gauge(
      "sluice_process_uptime_seconds", "Seconds since sluice started", {}, [start] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      });
  registry.sampled_gauge("sluice_process_resident_memory_bytes", "Resident set size in bytes", {},
                         [] { return resident_memory_bytes(); });
  registry.sampled_gauge("sluice_process_open_fds", "Open file descriptors", {},
                         [] { return open_fds(); });
}

}  // namespace sluice::metrics
