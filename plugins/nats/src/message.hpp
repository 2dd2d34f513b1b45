// Converting between sluice messages and cnats messages: headers, the node
// id header, JetStream metadata as attributes.
#pragma once

#include <nats/nats.h>

#include <memory>
#include <sluice/plugin.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::nats {

struct NatsMsgDeleter {
  void operator()(natsMsg* m) const { natsMsg_Destroy(m); }
};
using NatsMsgPtr = std::unique_ptr<natsMsg, NatsMsgDeleter>;

// Headers every outgoing message of one connector carries.
struct OutgoingHeaders {
  std::vector<std::pair<std::string, std::string>> fixed;  // `headers` setting
  std::string node_header;                                 // "" = none
  std::string node_id;
  bool empty() const { return fixed.empty() && node_header.empty(); }
};

// Builds a cnats message for `subject` (and `reply`, may be empty) carrying
// the payload and headers of `message` plus the connector's own headers.
// Returns NATS_OK and the message, or the failing status.
natsStatus build_message(std::string_view subject, std::string_view reply,
                         const MessageView& message, const OutgoingHeaders& extra, NatsMsgPtr& out);

// About the bytes `message` takes on the wire (protocol line, headers,
// payload): what a held message counts against reconnect_buffer_bytes.
size_t wire_size(std::string_view subject, std::string_view reply, const MessageView& message,
                 const OutgoingHeaders& extra);

// A received cnats message seen as a sluice message. Owns the strings that
// the OutMessage's views point to; the natsMsg must outlive it.
class IncomingMessage {
 public:
  // `jetstream`: read the delivery metadata into attributes and leave
  // reply_to empty (a JetStream reply subject is the ack handle, not a
  // request's return address).
  IncomingMessage(natsMsg* msg, bool jetstream);
  IncomingMessage(const IncomingMessage&) = delete;
  IncomingMessage& operator=(const IncomingMessage&) = delete;

  const OutMessage& message() const { return out_; }

 private:
  OutMessage out_;
  std::vector<std::string> storage_;  // attribute values (stable: reserved up front)
};

// Received cnats messages as one array of C messages, for emit_batch.
// The natsMsgs must outlive it; nothing here is moved once built.
class IncomingBatch {
 public:
  IncomingBatch(const std::vector<natsMsg*>& msgs, bool jetstream);
  IncomingBatch(const IncomingBatch&) = delete;
  IncomingBatch& operator=(const IncomingBatch&) = delete;

  const sluice_message* messages() const { return messages_.data(); }
  size_t size() const { return messages_.size(); }

 private:
  std::vector<std::unique_ptr<IncomingMessage>> incoming_;
  std::vector<std::vector<sluice_header>> headers_, attributes_;
  std::vector<sluice_message> messages_;
};

}  // namespace sluice::nats
