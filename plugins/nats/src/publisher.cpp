// Sending outgoing messages, holding them while disconnected (see publisher.hpp).
#include "publisher.hpp"

#include <algorithm>

#include "thread_name.hpp"

namespace sluice::nats {

namespace {

// A held message is sent only with a quarter of its timeout (at most 1 s)
// left, time to be confirmed: one that would reach NATS just as the host
// gives up on it fails unsent instead, so the host's retry is its only copy.
std::chrono::milliseconds time_to_confirm(int64_t timeout_ms) {
  return std::chrono::milliseconds(std::clamp<int64_t>(timeout_ms / 4, 1, 1000));
}
// How often the sender looks at the connection while disconnected (a
// reconnect also wakes it at once).
constexpr auto kDisconnectedPoll = std::chrono::milliseconds(200);

void count_failure(PluginMetrics& metrics, const Publisher::Outgoing& out) {
  bool request =
      out.then == Publisher::Then::kAwaitReply && out.kind == ReplyRouter::Kind::kRequest;
  (request ? metrics.requests_failed : metrics.publish_failed).add(1);
}

}  // namespace

Publisher::Publisher(NatsConnection& connection, PluginMetrics& metrics, ReplyRouter& router,
                     FlushConfirmer* confirmer, size_t max_held_bytes, int64_t publish_timeout_ms)
    : connection_(connection),
      metrics_(metrics),
      router_(router),
      confirmer_(confirmer),
      publish_timeout_ms_(publish_timeout_ms),
      outbox_(max_held_bytes) {}

Publisher::~Publisher() { stop(); }

void Publisher::start() {
  worker_ = std::thread([this] {
    name_this_thread("nats-outbox");
    run();
  });
}

std::string Publisher::describe_error(natsStatus s) const {
  if (s == NATS_INSUFFICIENT_BUFFER)
    return "NATS is disconnected and the reconnect buffer (reconnect_buffer_bytes = " +
           std::to_string(outbox_.max_bytes()) + ") is full";
  if (s == NATS_CONNECTION_CLOSED)
    return "the NATS connection is closed (" + connection_.describe() + ")";
  return "NATS publish failed: " + nats_error(s);
}

size_t Publisher::held() const {
  std::lock_guard lock(mutex_);
  return outbox_.size();
}

Status Publisher::send(Outgoing& out, std::string& error) {
  if (holding_.load()) {
    // Older messages wait for the reconnect: queue behind them. A routed
    // message's completion comes back from the router while it is held.
    if (out.then == Then::kAwaitReply &&
        !router_.take_back(out.reply_id, out.completion, &out.deadline))
      return Status::kOk;  // already timed out there
  } else {
    Attempt attempt = publish_now(out, error);
    if (attempt == Attempt::kSent || !out.completion) return Status::kOk;
    if (attempt != Attempt::kDisconnected) {
      count_failure(metrics_, out);
      return attempt == Attempt::kRejected ? Status::kRejected : Status::kError;
    }
  }
  if (hold(out)) return Status::kOk;
  error = describe_error(NATS_INSUFFICIENT_BUFFER);
  count_failure(metrics_, out);
  return Status::kError;
}

Publisher::Attempt Publisher::publish_now(Outgoing& out, std::string& error) {
  uint64_t epoch = connection_.epoch();
  natsStatus s = natsConnection_PublishMsg(connection_.get(), out.msg.get());
  if (s == NATS_OK) {
    switch (out.then) {
      case Then::kComplete:
        metrics_.published.add(1);
        out.completion.ok();
        break;
      case Then::kFlushConfirm:
        confirmer_->add(out.completion, epoch, out.deadline);
        break;
      case Then::kAwaitReply:
        break;  // the router has the completion
    }
    return Attempt::kSent;
  }
  // Not sent: a routed message's completion comes back from the router (if
  // it has not timed out there meanwhile: then out.completion stays empty).
  if (out.then == Then::kAwaitReply) router_.take_back(out.reply_id, out.completion, &out.deadline);
  // With no reconnect buffer, cnats refuses every publish while it is
  // reconnecting (pub.c: pending length >= reconnectBufSize).
  if (s == NATS_INSUFFICIENT_BUFFER) return Attempt::kDisconnected;
  // A first connection cnats closed is dialled again (connection.hpp).
  if (s == NATS_CONNECTION_CLOSED && connection_.state() != LinkState::kClosed)
    return Attempt::kDisconnected;
  error = describe_error(s);
  return s == NATS_MAX_PAYLOAD ? Attempt::kRejected : Attempt::kFailed;
}

bool Publisher::hold(Outgoing& out) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    size_t bytes = out.bytes;
    int64_t timeout = out.then == Then::kAwaitReply ? out.timeout_ms : publish_timeout_ms_;
    auto send_by = out.deadline - time_to_confirm(timeout);
    if (!outbox_.push(out, bytes, send_by)) return false;
    holding_.store(true);
    metrics_.held.set(static_cast<double>(outbox_.size()));
  }
  metrics_.in_flight.add(1);
  wake_.notify_all();
  return true;
}

void Publisher::fail_expired(Outgoing& out) {
  metrics_.in_flight.add(-1);
  if (!out.completion) return;
  if (out.then == Then::kAwaitReply && out.kind == ReplyRouter::Kind::kRequest) {
    metrics_.requests_timeout.add(1);
    out.completion.fail(Status::kTimeout, "no reply on '" + out.subject +
                                              "': NATS stayed disconnected too long to send the "
                                              "request within its timeout (" +
                                              std::to_string(out.timeout_ms) +
                                              " ms); it was not sent");
    return;
  }
  int64_t timeout = out.then == Then::kAwaitReply ? out.timeout_ms : publish_timeout_ms_;
  metrics_.publish_failed.add(1);
  out.completion.fail(Status::kError,
                      "NATS stayed disconnected too long to publish within "
                      "publish_timeout_ms (" +
                          std::to_string(timeout) +
                          " ms); the message was not sent and will not be sent "
                          "later");
}

void Publisher::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    auto now = Clock::now();
    auto expired = outbox_.take_expired(now);
    if (!expired.empty()) {
      metrics_.held.set(static_cast<double>(outbox_.size()));
      lock.unlock();
      for (auto& out : expired) fail_expired(out);
      lock.lock();
      continue;
    }
    if (outbox_.empty()) {
      holding_.store(false);
      wake_.wait(lock);
      continue;
    }
    if (connection_.state() != LinkState::kConnected) {
      auto wake_at = std::min(*outbox_.next_deadline(), now + kDisconnectedPoll);
      wake_.wait_until(lock, wake_at);
      continue;
    }
    auto popped = outbox_.pop();
    metrics_.held.set(static_cast<double>(outbox_.size()));
    lock.unlock();

    Outgoing& out = popped->item;
    metrics_.in_flight.add(-1);
    if (out.then == Then::kAwaitReply)
      router_.restore(out.reply_id, out.kind, out.subject, out.completion, out.deadline,
                      out.timeout_ms);
    std::string error;
    Attempt attempt = publish_now(out, error);
    if ((attempt == Attempt::kFailed || attempt == Attempt::kRejected) && out.completion) {
      count_failure(metrics_, out);
      out.completion.fail(attempt == Attempt::kRejected ? Status::kRejected : Status::kError,
                          error);
    }

    lock.lock();
    if (attempt == Attempt::kDisconnected && out.completion) {
      // Gone again before the connection state said so: back in front, and
      // wait for the state to catch up (or the next reconnect).
      outbox_.push_front(out, popped->bytes, popped->deadline);
      metrics_.held.set(static_cast<double>(outbox_.size()));
      metrics_.in_flight.add(1);
      wake_.wait_for(lock, std::chrono::milliseconds(50));
    }
  }
}

void Publisher::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
  std::vector<Outgoing> left;
  {
    std::lock_guard lock(mutex_);
    left = outbox_.take_all();
    metrics_.held.set(0);
  }
  for (auto& out : left) {
    metrics_.in_flight.add(-1);
    if (!out.completion) continue;
    count_failure(metrics_, out);
    out.completion.fail(Status::kError,
                        "the connector stopped while NATS was disconnected; the message was not "
                        "sent");
  }
}

}  // namespace sluice::nats
