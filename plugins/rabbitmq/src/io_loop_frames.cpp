// The I/O thread's inbound side (see io_loop.hpp): frames read from the
// broker become deliveries, returned publishes, replies and confirms.
#include <algorithm>

#include "amqp_table.hpp"
#include "inbound_message.hpp"
#include "io_loop.hpp"

namespace sluice::rabbitmq {

namespace {

constexpr size_t kFrameBatch = 512;  // frames read per loop turn

}  // namespace

std::string make_reply_handle(std::string_view reply_to, std::string_view correlation_id) {
  std::string out(reply_to);
  if (!correlation_id.empty()) out.append("\n").append(correlation_id);
  return out;
}

void split_reply_handle(std::string_view handle, std::string& reply_to,
                        std::string& correlation_id) {
  size_t nl = handle.find('\n');
  reply_to.assign(handle.substr(0, nl));
  correlation_id.assign(nl == std::string_view::npos ? std::string_view() : handle.substr(nl + 1));
}

bool IoLoop::read_frames(std::string& error, bool& got_any) {
  timeval zero{0, 0};
  for (size_t i = 0; i < kFrameBatch; ++i) {
    amqp_frame_t frame;
    int rc = amqp_simple_wait_frame_noblock(link_.get(), &frame, &zero);
    if (rc == AMQP_STATUS_TIMEOUT) return true;
    if (rc != AMQP_STATUS_OK) {
      error = amqp_error_string2(rc);
      return false;
    }
    got_any = true;
    bool ok = handle_frame(frame, error);
    amqp_maybe_release_buffers(link_.get());
    if (!ok) return false;
    if (!ready_.empty() && ready_.size() >= static_cast<size_t>(settings_.prefetch) * 2 + 64)
      return true;  // let emit catch up
  }
  return true;
}

bool IoLoop::handle_frame(const amqp_frame_t& frame, std::string& error) {
  amqp_channel_t ch = frame.channel;
  if (frame.frame_type == AMQP_FRAME_METHOD) {
    const amqp_method_t& m = frame.payload.method;
    switch (m.id) {
      case AMQP_BASIC_DELIVER_METHOD: {
        auto* d = static_cast<amqp_basic_deliver_t*>(m.decoded);
        auto in = std::make_unique<Inbound>();
        in->tag = d->delivery_tag;
        in->redelivered = d->redelivered != 0;
        in->exchange = to_view(d->exchange);
        in->routing_key = to_view(d->routing_key);
        inbound_[ch] = std::move(in);
        return true;
      }
      case AMQP_BASIC_RETURN_METHOD: {
        auto* r = static_cast<amqp_basic_return_t*>(m.decoded);
        auto in = std::make_unique<Inbound>();
        in->kind = Inbound::Kind::kReturn;
        in->return_text = "unroutable: no queue took it from exchange '" +
                          std::string(to_view(r->exchange)) + "' with routing key '" +
                          std::string(to_view(r->routing_key)) + "' (mandatory; broker said " +
                          close_reason(r->reply_code, r->reply_text) + ")";
        inbound_[ch] = std::move(in);
        return true;
      }
      case AMQP_BASIC_ACK_METHOD: {
        auto* a = static_cast<amqp_basic_ack_t*>(m.decoded);
        if (ch == kPublishChannel) confirm(a->delivery_tag, a->multiple != 0, true);
        return true;
      }
      case AMQP_BASIC_NACK_METHOD: {
        auto* n = static_cast<amqp_basic_nack_t*>(m.decoded);
        if (ch == kPublishChannel) confirm(n->delivery_tag, n->multiple != 0, false);
        return true;
      }
      case AMQP_CONNECTION_BLOCKED_METHOD: {
        auto* b = static_cast<amqp_connection_blocked_t*>(m.decoded);
        blocked_ = true;
        blocked_since_ = Clock::now();
        std::lock_guard lock(state_mutex_);
        blocked_text_ =
            "broker blocked publishing: " + std::string(to_view(b->reason)) + " (publishes wait)";
        host_.logf(LogLevel::kWarn, "RabbitMQ: %s", blocked_text_.c_str());
        return true;
      }
      case AMQP_CONNECTION_UNBLOCKED_METHOD: {
        if (blocked_)
          metrics_.blocked_ms.add(static_cast<double>(
              std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - blocked_since_)
                  .count()));
        blocked_ = false;
        std::lock_guard lock(state_mutex_);
        blocked_text_.clear();
        host_.log(LogLevel::kInfo, "RabbitMQ: broker unblocked publishing");
        return true;
      }
      case AMQP_CHANNEL_CLOSE_METHOD: {
        auto* c = static_cast<amqp_channel_close_t*>(m.decoded);
        std::string why = close_reason(c->reply_code, c->reply_text);
        amqp_channel_close_ok_t ok{};
        amqp_send_method(link_.get(), ch, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
        inbound_.erase(ch);
        if (ch == kConsumeChannel) {
          error = "the consuming channel was closed by the broker: " + why;
          return false;
        }
        host_.logf(LogLevel::kError, "RabbitMQ: channel %u closed by the broker: %s", ch,
                   why.c_str());
        std::string reason = "channel closed by the broker: " + why +
                             (ch == kPublishChannel ? " (check 'exchange': does it exist?)" : "");
        if (ch == kPublishChannel) {
          for (auto& [seq, c] : confirms_) {
            c.completion.fail(Status::kError, reason);
            metrics_.publish_failed.add();
            --pending_;
          }
          confirms_.clear();
        } else {
          for (auto& [id, r] : requests_) {
            r.completion.fail(Status::kError, reason);
            --pending_;
          }
          requests_.clear();
        }
        amqp_channel_open(link_.get(), ch);
        if (amqp_get_rpc_reply(link_.get()).reply_type != AMQP_RESPONSE_NORMAL) {
          error = "cannot reopen channel " + std::to_string(ch);
          return false;
        }
        if (ch == kPublishChannel && settings_.confirm) {
          amqp_confirm_select(link_.get(), ch);
          next_seq_ = 1;
        } else if (ch == kRequestChannel) {
          amqp_basic_consume(link_.get(), ch, amqp_cstring_bytes(kDirectReplyTo), amqp_empty_bytes,
                             0, 1, 0, amqp_empty_table);
        }
        if (amqp_get_rpc_reply(link_.get()).reply_type != AMQP_RESPONSE_NORMAL) {
          error = "cannot set up channel " + std::to_string(ch) + " again";
          return false;
        }
        return true;
      }
      case AMQP_CONNECTION_CLOSE_METHOD: {
        auto* c = static_cast<amqp_connection_close_t*>(m.decoded);
        error = "the broker closed the connection: " + close_reason(c->reply_code, c->reply_text);
        amqp_connection_close_ok_t ok{};
        amqp_send_method(link_.get(), 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
        return false;
      }
      case AMQP_BASIC_CANCEL_METHOD:
        error = "the broker cancelled a consumer (queue deleted?)";
        return false;
      default:
        return true;
    }
  }
  auto it = inbound_.find(ch);
  if (it == inbound_.end()) return true;
  Inbound& in = *it->second;
  if (frame.frame_type == AMQP_FRAME_HEADER) {
    const auto* p = static_cast<const amqp_basic_properties_t*>(frame.payload.properties.decoded);
    in.have_header = true;
    in.body_size = frame.payload.properties.body_size;
    in.body.reserve(in.body_size);
    if (p) {
      in.headers = headers_from_properties(*p);
      in.count = delivery_count(*p, in.redelivered);
      if (p->_flags & AMQP_BASIC_REPLY_TO_FLAG) in.reply_to = to_view(p->reply_to);
      if (p->_flags & AMQP_BASIC_CORRELATION_ID_FLAG)
        in.correlation_id = to_view(p->correlation_id);
      if (in.kind == Inbound::Kind::kReturn && (p->_flags & AMQP_BASIC_HEADERS_FLAG))
        for (int i = 0; i < p->headers.num_entries; ++i)
          if (to_view(p->headers.entries[i].key) == kSeqHeader) {
            std::string text = field_to_text(p->headers.entries[i].value);
            in.publish_seq = std::strtoull(text.c_str(), nullptr, 10);
          }
    }
  } else if (frame.frame_type == AMQP_FRAME_BODY) {
    in.body.append(to_view(frame.payload.body_fragment));
  }
  if (in.have_header && in.body.size() >= in.body_size) finish_inbound(ch);
  return true;
}

void IoLoop::finish_inbound(amqp_channel_t ch) {
  std::unique_ptr<Inbound> in = std::move(inbound_[ch]);
  inbound_.erase(ch);
  if (in->kind == Inbound::Kind::kReturn) {
    metrics_.returned.add();
    if (in->publish_seq)
      if (auto it = confirms_.find(*in->publish_seq); it != confirms_.end()) {
        it->second.returned = true;
        it->second.return_text = in->return_text;
      }
    return;
  }
  if (ch == kRequestChannel) {
    auto it = requests_.find(in->correlation_id);
    if (it == requests_.end()) return;  // late reply after a timeout
    OutMessage reply;
    reply.payload = in->body;
    reply.subject = in->routing_key;
    for (const auto& [n, v] : in->headers) reply.headers.emplace_back(n, v);
    it->second.completion.reply(reply);
    requests_.erase(it);
    --pending_;
    metrics_.requests_ok.add();
    return;
  }
  if (in->redelivered) metrics_.redelivered.add();
  Ready r;
  r.body = std::move(in->body);
  r.routing_key = std::move(in->routing_key);
  r.exchange = std::move(in->exchange);
  if (!in->reply_to.empty()) r.reply_handle = make_reply_handle(in->reply_to, in->correlation_id);
  r.headers = std::move(in->headers);
  r.headers.emplace_back("redelivered", in->redelivered ? "true" : "false");
  r.tag = in->tag;
  r.count = in->count;
  acks_to_send_.received(r.tag);
  ready_.push_back(std::move(r));
}

void IoLoop::confirm(uint64_t tag, bool multiple, bool ok) {
  auto finish = [&](Confirm& c) {
    if (ok && !c.returned) {
      c.completion.ok();
      metrics_.confirmed.add();
    } else {
      if (!ok) metrics_.nacked.add();
      c.completion.fail(Status::kError,
                        c.returned ? c.return_text
                                   : "the broker refused the message (basic.nack; e.g. queue "
                                     "overflow with reject-publish, or an internal error)");
      metrics_.publish_failed.add();
    }
    --pending_;
  };
  if (!multiple) {
    auto it = confirms_.find(tag);
    if (it == confirms_.end()) return;
    finish(it->second);
    confirms_.erase(it);
    return;
  }
  auto end = confirms_.upper_bound(tag);
  for (auto it = confirms_.begin(); it != end; ++it) finish(it->second);
  confirms_.erase(confirms_.begin(), end);
}

}  // namespace sluice::rabbitmq
