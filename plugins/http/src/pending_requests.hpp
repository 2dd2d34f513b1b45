// HTTP requests waiting for the host's verdict on their messages. The host
// acks on its own threads; each request lives on its connection's strand, so
// an ack is posted there and the request's timer is cancelled once every
// message has an outcome: that wakes the connection, which answers.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <sluice/plugin.hpp>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "beast_types.hpp"
#include "reply_response.hpp"

namespace sluice::http_plugin {

// Touched only on its connection's strand (the timer's executor).
struct PendingRequest {
  explicit PendingRequest(const net::any_io_executor& executor) : timer(executor) {}
  net::steady_timer timer;
  size_t remaining = 0;   // messages without an outcome yet
  bool failed = false;    // an output failed (NACK)
  bool answered = false;  // the response went out: late news is ignored
  std::optional<ReplyData> reply;
};

class PendingRequests {
 public:
  // Ids for emit's ack_id and for reply handles.
  uint64_t add_message(const std::shared_ptr<PendingRequest>& request);
  void forget_message(uint64_t ack_id);
  uint64_t add_request(const std::shared_ptr<PendingRequest>& request);
  void forget_request(uint64_t request_id);

  // From any thread: the outcome of one message.
  void ack(uint64_t ack_id, Outcome outcome);
  // From any thread: false when the request is gone (answered, timed out).
  bool reply(uint64_t request_id, ReplyData reply);

  // Drops everything (shutdown, after the I/O threads stopped).
  void clear();

 private:
  std::mutex mutex_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::shared_ptr<PendingRequest>> messages_;
  std::unordered_map<uint64_t, std::weak_ptr<PendingRequest>> requests_;
};

}  // namespace sluice::http_plugin
