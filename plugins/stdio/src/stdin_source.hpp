// The stdio plugin's reading side: one message per line of standard input,
// read in large chunks on its own thread. Backpressure simply stops the
// reading (the writer into the pipe then blocks); at end of input it tells
// the host that the source finished.
#pragma once

#include <atomic>
#include <sluice/common/line_io/stop_signal.hpp>
#include <sluice/plugin.hpp>
#include <string>
#include <thread>

namespace sluice::stdio {

class StdinSource {
 public:
  struct Options {
    int fd = 0;
    std::string subject = "stdin";
    size_t max_line_bytes = 1 << 20;
  };
  StdinSource(const Host& host, Options options);
  ~StdinSource();
  StdinSource(const StdinSource&) = delete;
  StdinSource& operator=(const StdinSource&) = delete;

  Status start(std::string& error);
  void stop();
  void ack(uint64_t ack_id, Outcome outcome);

 private:
  void run();
  // Waits until stdin is readable or stop is requested; false on stop.
  bool wait_readable();
  bool emit(std::string_view line);

  const Host host_;
  const Options options_;
  common::line_io::StopSignal stop_;
  int wake_fd_ = -1;  // eventfd: interrupts poll() on stop
  std::thread reader_;
  uint64_t next_id_ = 0;
  std::atomic<bool> nack_logged_{false};
  Metric lines_;
  Metric skipped_;
  Metric nacks_;
};

}  // namespace sluice::stdio
