#include "admin/statsd_exporter.hpp"

#include "admin/http_server.hpp"
#include "admin/prometheus_text.hpp"
#include "log/logger.hpp"

namespace sluice::admin {
namespace {
// StatsD datagrams are kept under a typical MTU.
constexpr size_t kMaxDatagram = 1400;

std::string sanitize(std::string s) {
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
  return s;
}
}  // namespace

StatsdExporter::StatsdExporter(metrics::Registry& registry, runtime::TimerService& timers)
    : registry_(registry), timers_(timers) {}

StatsdExporter::~StatsdExporter() { stop(); }

std::string StatsdExporter::start(const std::string& address, int interval_ms,
                                  const std::string& prefix) {
  std::string host;
  unsigned short port = 0;
  if (!split_host_port(address, host, port))
    return "metrics.statsd '" + address + "' is not host:port";
  boost::system::error_code ec;
  boost::asio::ip::udp::resolver resolver(io_);
  auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec || results.empty())
    return "metrics.statsd: cannot resolve '" + host + "': " + ec.message();
  endpoint_ = *results.begin();
  socket_.open(endpoint_.protocol(), ec);
  if (ec) return "metrics.statsd: " + ec.message();
  prefix_ = prefix;
  // No baseline: counters start at zero with the process, so the first
  // flush's "delta" is everything counted so far, including messages that
  // arrived before the exporter started.
  timer_ = timers_.start(std::chrono::milliseconds(interval_ms),
                         std::chrono::milliseconds(interval_ms), [this] { flush(); });
  return "";
}

void StatsdExporter::stop() {
  if (timer_) timers_.cancel(timer_);
  timer_ = 0;
}

std::vector<std::string> StatsdExporter::collect() {
  std::vector<std::string> lines;
  registry_.for_each([&](const metrics::Family& f) {
    std::string base = f.name;
    if (base.rfind("sluice_", 0) == 0) base = base.substr(7);
    for (const auto& s : f.series) {
      std::string name = prefix_ + "." + base;
      for (const auto& [k, v] : s.labels) name += "." + sanitize(v);
      switch (f.kind) {
        case metrics::Kind::kCounter: {
          double v = s.counter.value();
          double& last = last_counter_values_[name];
          if (v > last) lines.push_back(name + ":" + prometheus_number(v - last) + "|c");
          last = v;
          break;
        }
        case metrics::Kind::kGauge:
          lines.push_back(name + ":" + prometheus_number(s.sample ? s.sample() : s.gauge.value()) +
                          "|g");
          break;
        case metrics::Kind::kHistogram: {
          double count = static_cast<double>(s.histogram.count());
          double sum = s.histogram.sum();
          double& last_count = last_counter_values_[name + ".count"];
          double& last_sum = last_counter_values_[name + ".sum"];
          if (count > last_count)  // mean latency of this interval, in ms
            lines.push_back(name + ":" +
                            prometheus_number((sum - last_sum) / (count - last_count) * 1000) +
                            "|ms");
          last_count = count;
          last_sum = sum;
          break;
        }
      }
    }
  });
  return lines;
}

void StatsdExporter::flush() {
  std::string datagram;
  boost::system::error_code ec;
  auto send = [&] {
    if (datagram.empty()) return;
    socket_.send_to(boost::asio::buffer(datagram), endpoint_, 0, ec);
    if (ec) log::warn("statsd", "cannot send to StatsD: " + ec.message());
    datagram.clear();
  };
  for (const auto& line : collect()) {
    if (datagram.size() + line.size() + 1 > kMaxDatagram) send();
    if (!datagram.empty()) datagram += '\n';
    datagram += line;
  }
  send();
}

}  // namespace sluice::admin
