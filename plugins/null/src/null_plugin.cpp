// The `null` plugin: a sink that completes every publish at once and only
// counts messages and bytes. For benchmarks (the cost of everything but the
// sink) and tests (a sink that is never the bottleneck).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <sluice/plugin.hpp>

#include "null_settings.hpp"

namespace sluice::null_sink {
namespace {

class NullPlugin : public Plugin {
 public:
  NullPlugin(Host host, const NullOptions& options)
      : Plugin(std::move(host)), report_interval_ms_(options.report_interval_ms) {
    messages_metric_ =
        this->host().counter("messages_total", "Messages completed by the null sink");
    bytes_metric_ = this->host().counter("bytes_total", "Payload bytes completed by the null sink");
  }

  ~NullPlugin() override {
    if (timer_) host().timer_cancel(timer_);
    report("final");
  }

  Status start(std::string&) override {
    if (report_interval_ms_ > 0)
      timer_ = host().timer_start(report_interval_ms_, report_interval_ms_,
                                  [this] { report("so far"); });
    return Status::kOk;
  }

  Status publish(const MessageView& message, Completion& completion, std::string&) override {
    uint64_t size = message.payload().size();
    messages_.fetch_add(1, std::memory_order_relaxed);
    bytes_.fetch_add(size, std::memory_order_relaxed);
    messages_metric_.add();
    bytes_metric_.add(static_cast<double>(size));
    completion.ok();
    return Status::kOk;
  }

 private:
  void report(const char* when) const {
    host().logf(LogLevel::kInfo, "null sink %s: %llu messages, %llu bytes", when,
                static_cast<unsigned long long>(messages_.load()),
                static_cast<unsigned long long>(bytes_.load()));
  }

  const uint32_t report_interval_ms_;
  uint64_t timer_ = 0;
  std::atomic<uint64_t> messages_{0};
  std::atomic<uint64_t> bytes_{0};
  Metric messages_metric_;
  Metric bytes_metric_;
};

}  // namespace
}  // namespace sluice::null_sink

using sluice::null_sink::NullPlugin;
SLUICE_PLUGIN(NullPlugin, "null", "1.0.0",
              "A sink that completes every message at once and counts messages and bytes",
              SLUICE_CAP_SINK, sluice::null_sink::null_settings)
