// The I/O loop's pub/sub side (see io_loop.hpp): what SUBSCRIBE and
// PSUBSCRIBE deliver (messages, requests in the JSON envelope, and the
// replies to this connector's own requests), and requests sent with
// PUBLISH, matched to their replies by id or failed at their deadline.
#include "io_loop.hpp"

namespace sluice::redis {

void IoLoop::send_request(Outgoing& out, Clock::time_point now) {
  std::string id = std::to_string(next_request_id_++);
  out.request.id = id;
  out.request.reply_to = reply_channel_;
  auto completion = std::make_shared<Completion>(std::move(out.completion));
  requests_[id] = PendingRequest{completion, out.deadline};
  std::string channel = out.channel;
  bool ok = cmd_.command(
      {"PUBLISH", out.channel, make_envelope(out.request)},
      [this, id, channel](redisReply* r) {
        auto it = requests_.find(id);
        if (it == requests_.end()) return;  // answered or expired already
        std::string why;
        if (!r)
          why = "the connection to Redis was lost";
        else if (r->type == REDIS_REPLY_ERROR)
          why = "Redis refused PUBLISH: " + reply_text(r);
        else if (r->type == REDIS_REPLY_INTEGER && r->integer == 0)
          why = "nobody subscribes to channel '" + channel + "'";
        if (why.empty()) return;  // on its way: wait for the reply
        auto completion = it->second.completion;
        requests_.erase(it);
        --pending_;
        metrics_.requests_failed.add();
        completion->fail(Status::kError, why);
      },
      std::min(out.deadline, now + std::chrono::milliseconds(settings_.command_timeout_ms)));
  if (!ok) {
    requests_.erase(id);
    --pending_;
    metrics_.requests_failed.add();
    completion->fail(Status::kError, "could not queue the request on the Redis connection");
    return;
  }
  metrics_.commands.add();
  metrics_.requests_sent.add();
}

void IoLoop::on_reply(const std::string& payload) {
  std::string error;
  auto envelope = parse_envelope(payload, false, error);
  if (!envelope) {
    metrics_.requests_malformed.add();
    host_.logf(LogLevel::kWarn, "a reply on %s is no reply envelope (%s): dropped",
               reply_channel_.c_str(), error.c_str());
    return;
  }
  auto it = requests_.find(envelope->id);
  if (it == requests_.end()) return;  // timed out already: a late reply
  auto completion = it->second.completion;
  requests_.erase(it);
  --pending_;
  metrics_.requests_answered.add();
  OutMessage reply;
  reply.payload = envelope->payload;
  for (const auto& [n, v] : envelope->headers) reply.headers.emplace_back(n, v);
  completion->reply(reply);
}

void IoLoop::expire_requests(Clock::time_point now) {
  for (auto it = requests_.begin(); it != requests_.end();) {
    if (it->second.deadline > now) {
      ++it;
      continue;
    }
    auto completion = it->second.completion;
    it = requests_.erase(it);
    --pending_;
    metrics_.requests_failed.add();
    completion->fail(Status::kTimeout, "no reply in time");
  }
}

void IoLoop::on_push(redisReply* r) {
  if (r && r->type == REDIS_REPLY_ERROR) {
    // SUBSCRIBE refused (an ACL user without channel rights, Redis 7's
    // default): publishes must not wait for a reply channel that never comes.
    host_.logf(LogLevel::kError,
               "Redis refused SUBSCRIBE: %s (pub/sub sources and "
               "sluice.request through this connector do not work)",
               reply_text(r).c_str());
    reply_subscribed_ = true;
    return;
  }
  if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 3) return;
  auto s = [](const redisReply* e) {
    return e && e->type == REDIS_REPLY_STRING ? std::string(e->str, e->len) : std::string();
  };
  std::string kind = s(r->element[0]);
  Ready ready;
  if (kind == "subscribe") {
    if (s(r->element[1]) == reply_channel_) reply_subscribed_ = true;
    return;
  }
  if (kind == "message") {
    ready.subject = s(r->element[1]);
    ready.payload = s(r->element[2]);
    if (ready.subject == reply_channel_) {
      on_reply(ready.payload);
      return;
    }
    if (request_channels_.contains(ready.subject)) {
      std::string error;
      auto envelope = parse_envelope(ready.payload, true, error);
      if (!envelope) {
        metrics_.requests_malformed.add();
        host_.logf(LogLevel::kWarn, "a message on request channel %s is no request (%s): dropped",
                   ready.subject.c_str(), error.c_str());
        return;
      }
      metrics_.requests_received.add();
      ready.payload = std::move(envelope->payload);
      ready.headers = std::move(envelope->headers);
      ready.reply_to = envelope->reply_to + "\n" + envelope->id;
    }
  } else if (kind == "pmessage" && r->elements >= 4) {
    ready.attributes = {{"pattern", s(r->element[1])}};
    ready.subject = s(r->element[2]);
    ready.payload = s(r->element[3]);
  } else {
    return;  // subscribe/psubscribe confirmations
  }
  metrics_.pubsub_received.add();
  if (!consuming_) {
    metrics_.pubsub_dropped.add();
    return;
  }
  ready_.items.push_back(std::move(ready));
}

}  // namespace sluice::redis
