// Converting between sluice and cnats messages (see message.hpp).
#include "message.hpp"

#include <cstdlib>

namespace sluice::nats {

natsStatus build_message(std::string_view subject, std::string_view reply,
                         const MessageView& message, const OutgoingHeaders& extra,
                         NatsMsgPtr& out) {
  std::string subj(subject);
  std::string rep(reply);
  natsMsg* raw = nullptr;
  auto payload = message.payload();
  natsStatus s = natsMsg_Create(&raw, subj.c_str(), rep.empty() ? nullptr : rep.c_str(),
                                payload.data(), static_cast<int>(payload.size()));
  if (s != NATS_OK) return s;
  out.reset(raw);
  for (const auto& [name, value] : extra.fixed) {
    s = natsMsgHeader_Set(raw, name.c_str(), value.c_str());
    if (s != NATS_OK) return s;
  }
  std::string name, value;
  for (size_t i = 0; i < message.header_count(); ++i) {
    name.assign(message.header_name(i));
    value.assign(message.header_value(i));
    if (name.empty()) continue;
    s = natsMsgHeader_Add(raw, name.c_str(), value.c_str());
    if (s != NATS_OK) return s;
  }
  if (!extra.node_header.empty()) {
    s = natsMsgHeader_Set(raw, extra.node_header.c_str(), extra.node_id.c_str());
    if (s != NATS_OK) return s;
  }
  return NATS_OK;
}

size_t wire_size(std::string_view subject, std::string_view reply, const MessageView& message,
                 const OutgoingHeaders& extra) {
  constexpr size_t kProtocolLine = 32;  // "HPUB", sizes, separators
  constexpr size_t kPerHeader = 4;      // ": " and CRLF
  size_t n = kProtocolLine + subject.size() + reply.size() + message.payload().size();
  for (size_t i = 0; i < message.header_count(); ++i)
    n += message.header_name(i).size() + message.header_value(i).size() + kPerHeader;
  for (const auto& [name, value] : extra.fixed) n += name.size() + value.size() + kPerHeader;
  if (!extra.node_header.empty()) n += extra.node_header.size() + extra.node_id.size() + kPerHeader;
  return n;
}

IncomingMessage::IncomingMessage(natsMsg* msg, bool jetstream) {
  out_.subject = natsMsg_GetSubject(msg);
  out_.payload = std::string_view(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));

  const char** keys = nullptr;
  int key_count = 0;
  if (natsMsgHeader_Keys(msg, &keys, &key_count) == NATS_OK) {
    for (int k = 0; k < key_count; ++k) {
      const char** values = nullptr;
      int value_count = 0;
      if (natsMsgHeader_Values(msg, keys[k], &values, &value_count) != NATS_OK) continue;
      for (int v = 0; v < value_count; ++v) out_.headers.emplace_back(keys[k], values[v]);
      std::free(values);
    }
    std::free(keys);
  }

  if (!jetstream) {
    const char* reply = natsMsg_GetReply(msg);
    if (reply && *reply) out_.reply_to = reply;
    return;
  }
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, msg) != NATS_OK || !meta) return;
  storage_.reserve(5);
  auto attr = [&](const char* name, std::string value) {
    storage_.push_back(std::move(value));
    out_.attributes.emplace_back(name, storage_.back());
  };
  attr("stream", meta->Stream ? meta->Stream : "");
  attr("stream_seq", std::to_string(meta->Sequence.Stream));
  attr("consumer_seq", std::to_string(meta->Sequence.Consumer));
  attr("delivered", std::to_string(meta->NumDelivered));
  attr("pending", std::to_string(meta->NumPending));
  out_.timestamp_ms = meta->Timestamp / 1000000;
  jsMsgMetaData_Destroy(meta);
}

IncomingBatch::IncomingBatch(const std::vector<natsMsg*>& msgs, bool jetstream)
    : headers_(msgs.size()), attributes_(msgs.size()), messages_(msgs.size()) {
  incoming_.reserve(msgs.size());
  for (size_t i = 0; i < msgs.size(); ++i) {
    incoming_.push_back(std::make_unique<IncomingMessage>(msgs[i], jetstream));
    incoming_[i]->message().to_c(messages_[i], headers_[i], attributes_[i]);
  }
}

}  // namespace sluice::nats
