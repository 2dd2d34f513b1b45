// Pushes the metrics registry to a StatsD server over UDP every interval:
// counters as deltas since the last flush, gauges as values. Labels become
// name segments (sluice.messages_in_total.tracking).
#pragma once

#include <boost/asio.hpp>
#include <map>
#include <string>
#include <vector>

#include "metrics/registry.hpp"
#include "runtime/timer_service.hpp"

namespace sluice::admin {

class StatsdExporter {
 public:
  StatsdExporter(metrics::Registry& registry, runtime::TimerService& timers);
  ~StatsdExporter();

  // Resolves "host:port" and starts flushing every interval_ms.
  std::string start(const std::string& address, int interval_ms, const std::string& prefix);
  void stop();
  // Builds the lines of one flush (exposed for tests).
  std::vector<std::string> collect();

 private:
  void flush();

  metrics::Registry& registry_;
  runtime::TimerService& timers_;
  boost::asio::io_context io_;
  boost::asio::ip::udp::socket socket_{io_};
  boost::asio::ip::udp::endpoint endpoint_;
  std::string prefix_ = "sluice";
  std::map<std::string, double> last_counter_values_;
  uint64_t timer_ = 0;
};

}  // namespace sluice::admin
