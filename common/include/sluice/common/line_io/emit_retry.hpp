// Emits one message, waiting out backpressure: while the host answers BUSY
// the calling reader simply does not read on, so a slow pipeline slows the
// source instead of filling memory. Shared by the file, stdio and generate
// plugins.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <sluice/common/line_io/stop_signal.hpp>
#include <sluice/plugin.hpp>

namespace sluice::common::line_io {

// Returns the host's final answer: kOk, kClosed, kRejected, or kBusy when
// `stop` was requested while the host was still full. `on_wait` runs
// between retries (e.g. to write a checkpoint while paused).
inline Status emit_with_retry(const Host& host, const sluice_message& message, uint64_t ack_id,
                              const StopSignal& stop, const std::function<void()>& on_wait = {}) {
  // The host's own wait (wait_ms) is the backoff: it returns as soon as
  // room frees up, so retries cost nothing while the pipeline drains.
  uint32_t wait_ms = 1;
  while (true) {
    Status status = host.emit(message, ack_id, wait_ms);
    if (status != Status::kBusy || stop.requested()) return status;
    wait_ms = std::min<uint32_t>(wait_ms * 2, 100);
    if (on_wait) on_wait();
  }
}

// A message with only payload and subject set: the common case, built
// without allocating.
inline sluice_message simple_message(std::string_view payload, std::string_view subject) {
  sluice_message m{};
  m.struct_size = sizeof(sluice_message);
  m.payload = to_bytes(payload);
  m.key = sluice_bytes{nullptr, 0};
  m.subject = to_bytes(subject);
  return m;
}

}  // namespace sluice::common::line_io
