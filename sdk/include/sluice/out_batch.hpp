// Messages a source has read, handed to the host in emit_batch calls (ABI
// 1.2): one queue lock and wake-up per run of messages instead of one per
// message. The batch borrows what each OutMessage points to; keep that
// alive and unchanged until the messages are emitted or cleared. Reuse one
// batch: clear() keeps its storage.
#pragma once

#include <cstdint>
#include <vector>

#include "sluice/plugin.hpp"

namespace sluice {

class OutBatch {
 public:
  void clear() {
    messages_.clear();
    ack_ids_.clear();
    used_ = 0;
  }

  void add(const OutMessage& message, uint64_t ack_id) {
    if (used_ == headers_.size()) {
      headers_.emplace_back();
      attributes_.emplace_back();
    }
    messages_.emplace_back();
    message.to_c(messages_.back(), headers_[used_], attributes_[used_]);
    ++used_;
    ack_ids_.push_back(ack_id);
  }

  size_t size() const { return messages_.size(); }
  bool empty() const { return messages_.empty(); }

  // Emits the messages from `from` on (Host::emit_batch's answer: `accepted`
  // of them were taken, and a status other than kOk is for the next one).
  Status emit(const Host& host, size_t from, uint32_t wait_ms, size_t& accepted) const {
    accepted = 0;
    if (from >= messages_.size()) return Status::kOk;
    return host.emit_batch(messages_.data() + from, ack_ids_.data() + from, messages_.size() - from,
                           wait_ms, accepted);
  }

 private:
  std::vector<sluice_message> messages_;
  std::vector<uint64_t> ack_ids_;
  // Per message; each message points into its own pair. Kept across
  // clear() for their capacity (moving the outer vectors keeps the inner
  // buffers where they are).
  std::vector<std::vector<sluice_header>> headers_;
  std::vector<std::vector<sluice_header>> attributes_;
  size_t used_ = 0;
};

}  // namespace sluice
