// The connection-owning I/O thread (see io_loop.hpp).
#include "io_loop.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>

#include "amqp_table.hpp"
#include "inbound_message.hpp"

namespace sluice::rabbitmq {

namespace {

constexpr size_t kSendBatch = 512;  // publishes sent per loop turn

}  // namespace

IoLoop::IoLoop(Host host, const RabbitSettings& settings, RabbitMetrics& metrics)
    : host_(std::move(host)),
      settings_(settings),
      metrics_(metrics),
      backoff_policy_(settings.reconnect.backoff()) {
  for (const auto& url : settings_.urls) {
    AmqpEndpoint ep;
    if (!parse_amqp_url(url, ep)) endpoints_.push_back(ep);
  }
  defaults_.persistent = settings_.persistent;
  defaults_.node_id_header = settings_.node_id_header;
  defaults_.node_id = std::string(host_.node_id());
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

IoLoop::~IoLoop() {
  shutdown(std::chrono::milliseconds(0));
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void IoLoop::start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "rabbitmq-io");
    run();
  });
}

void IoLoop::stop_consuming() { consuming_ = false; }

void IoLoop::shutdown(std::chrono::milliseconds timeout) {
  if (thread_.joinable()) {
    auto deadline = Clock::now() + timeout;
    while (pending_.load() > 0 && Clock::now() < deadline) {
      bool up;
      {
        std::lock_guard lock(state_mutex_);
        up = up_;
      }
      if (!up) break;  // nothing can complete while down
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    stop_ = true;
    wake();
    thread_.join();
  }
  // The thread is gone: fail whatever is left, exactly once each.
  fail_in_flight("the RabbitMQ connector is shutting down");
  std::deque<Outgoing> left;
  {
    std::lock_guard lock(mutex_);
    left.swap(outbox_);
  }
  for (auto& out : left) {
    out.completion.fail(Status::kClosed, "the RabbitMQ connector is shutting down");
    --pending_;
  }
  link_.close();
}

void IoLoop::wake() {
  if (wake_fd_ < 0) return;
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

Status IoLoop::send(Outgoing&& out, std::string& error) {
  if (stop_) {
    error = "the RabbitMQ connector is shutting down";
    return Status::kClosed;
  }
  if (pending_.load() >= static_cast<size_t>(settings_.max_pending_publishes)) return Status::kBusy;
  {
    std::lock_guard lock(mutex_);
    outbox_.push_back(std::move(out));
  }
  ++pending_;
  if (polling_.exchange(false)) wake();
  return Status::kOk;
}

void IoLoop::ack(uint64_t ack_id, Outcome outcome) {
  {
    std::lock_guard lock(mutex_);
    acks_.push_back({ack_id, outcome});
  }
  if (polling_.exchange(false)) wake();
}

Health IoLoop::health() const {
  std::lock_guard lock(state_mutex_);
  Health h;
  h.healthy = up_ && blocked_text_.empty();
  h.message = state_text_;
  if (!blocked_text_.empty()) h.message += "; " + blocked_text_;
  return h;
}

void IoLoop::set_state(bool up, std::string why) {
  std::lock_guard lock(state_mutex_);
  if (!up && up_ && !stop_)
    host_.logf(LogLevel::kWarn, "RabbitMQ connection lost: %s", why.c_str());
  up_ = up;
  state_text_ = std::move(why);
  if (!up) blocked_text_.clear();
  metrics_.connected.set(up ? 1 : 0);
}

void IoLoop::run() {
  size_t next_endpoint = 0;
  while (!stop_) {
    std::string error;
    if (endpoints_.empty()) {
      set_state(false, "no usable URL");
      return;
    }
    const AmqpEndpoint& ep = endpoints_[next_endpoint % endpoints_.size()];
    if (connect(ep, error)) {
      failed_attempts_ = 0;
      std::string why = serve();
      if (stop_) {
        link_.close();  // connection.close: the broker requeues what is unacked at once
        break;
      }
      link_.abandon();
      fail_in_flight("connection to RabbitMQ lost before the broker confirmed: " + why);
      set_state(false, "disconnected: " + why + "; reconnecting");
      continue;  // first retry at once, then back off
    }
    ++next_endpoint;
    set_state(false, error + "; retrying");  // error names the server
    host_.logf(LogLevel::kError, "RabbitMQ: %s", error.c_str());
    auto delay = backoff_.after(backoff_policy_, ++failed_attempts_);
    auto until = Clock::now() + delay;
    while (!stop_ && Clock::now() < until) {
      fail_queued_expired(Clock::now());
      pollfd p{wake_fd_, POLLIN, 0};
      ::poll(&p, 1, 50);
      uint64_t drain;
      [[maybe_unused]] ssize_t n = ::read(wake_fd_, &drain, sizeof drain);
    }
  }
  set_state(false, "stopped");
}

bool IoLoop::connect(const AmqpEndpoint& ep, std::string& error) {
  if (!link_.open(ep, settings_, error)) return false;
  ++generation_;
  next_seq_ = 1;
  corked_ = false;  // a new socket
  inbound_.clear();
  ready_.clear();
  delivery_counts_.clear();
  acks_to_send_.reset();
  blocked_ = false;
  if (ever_up_) metrics_.reconnects.add();
  ever_up_ = true;
  set_state(true, "connected to " + ep.host + ":" + std::to_string(ep.port) + " vhost " +
                      (settings_.vhost.empty() ? ep.vhost : settings_.vhost));
  // The generation makes each line distinct (the host folds repeated lines).
  host_.logf(LogLevel::kInfo,
             "RabbitMQ connector ready (%s, connection %llu); consuming %zu queue(s)",
             (ep.host + ":" + std::to_string(ep.port)).c_str(),
             static_cast<unsigned long long>(generation_), settings_.consume.size());
  return true;
}

std::string IoLoop::serve() {
  std::string error;
  next_expiry_check_ = Clock::now();
  while (!stop_) {
    // Corked, the acks, publishes and replies of one turn leave in as few
    // TCP segments as possible instead of one (and one broker wake-up) each.
    send_acks();
    bool sent = send_outgoing(error);
    bool emitted_all = emit_ready();
    set_cork(false);
    if (!sent) return error;
    bool got_frames = false;
    if (!read_frames(error, got_frames)) return error;
    auto now = Clock::now();
    if (now >= next_expiry_check_) {
      expire(now);
      next_expiry_check_ = now + std::chrono::milliseconds(20);
    }
    update_gauges();
    if (got_frames) continue;

    // Nothing to read: sleep until the socket or a worker wakes us.
    polling_ = true;
    bool work;
    {
      std::lock_guard lock(mutex_);
      work = !acks_.empty() || (!outbox_.empty() && !blocked_);
    }
    if (work) {
      polling_ = false;
      continue;
    }
    pollfd fds[2] = {{link_.fd(), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    int timeout_ms = emitted_all ? 100 : 5;  // retry a busy emit soon
    if (settings_.heartbeat_s > 0) timeout_ms = std::min(timeout_ms, settings_.heartbeat_s * 250);
    ::poll(fds, 2, timeout_ms);
    polling_ = false;
    if (fds[1].revents & POLLIN) {
      uint64_t drain;
      [[maybe_unused]] ssize_t n = ::read(wake_fd_, &drain, sizeof drain);
    }
  }
  send_acks();  // the host's last acks before the connection closes
  set_cork(false);
  return "stopping";
}

void IoLoop::set_cork(bool on) {
  if (on == corked_) return;
  corked_ = on;
  int fd = link_.fd();
  int value = on ? 1 : 0;
  if (fd >= 0) setsockopt(fd, IPPROTO_TCP, TCP_CORK, &value, sizeof value);
}

void IoLoop::send_acks() {
  std::vector<AckCommand> acks;
  {
    std::lock_guard lock(mutex_);
    acks.swap(acks_);
  }
  for (const auto& a : acks) {
    if (ack_generation(a.ack_id) != generation_) {
      metrics_.stale_acks.add();
      continue;
    }
    uint64_t tag = ack_tag(a.ack_id);
    int64_t count = 1;
    if (auto it = delivery_counts_.find(tag); it != delivery_counts_.end()) {
      count = it->second;
      delivery_counts_.erase(it);
    }
    if (a.outcome == Outcome::kAck) {
      acks_to_send_.acked(tag);
      metrics_.acked.add();
      continue;
    }
    bool requeue = settings_.nack == NackAction::kRequeue;
    if (requeue && settings_.redelivery_limit > 0 && count > settings_.redelivery_limit)
      requeue = false;
    acks_to_send_.settled(tag);
    set_cork(true);
    amqp_basic_nack(link_.get(), kConsumeChannel, tag, 0, requeue ? 1 : 0);
    metrics_.rejected.add();
    if (!requeue) metrics_.dead_lettered.add();
  }
  flush_acks();
}

void IoLoop::flush_acks() {
  if (!acks_to_send_.has_acks()) return;
  set_cork(true);
  for (const auto& a : acks_to_send_.take()) {
    amqp_basic_ack(link_.get(), kConsumeChannel, a.tag, a.multiple ? 1 : 0);
  }
}

bool IoLoop::send_outgoing(std::string& error) {
  if (blocked_) {
    fail_queued_expired(Clock::now());
    return true;
  }
  std::deque<Outgoing> batch;
  {
    std::lock_guard lock(mutex_);
    size_t n = std::min(kSendBatch, outbox_.size());
    for (size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(outbox_.front()));
      outbox_.pop_front();
    }
  }
  auto now = Clock::now();
  for (size_t i = 0; i < batch.size(); ++i) {
    Outgoing& out = batch[i];
    if (now >= out.deadline) {
      out.completion.fail(Status::kTimeout, "publish_timeout_ms passed before it could be sent");
      metrics_.publish_failed.add();
      --pending_;
      continue;
    }
    amqp_channel_t channel = kPublishChannel;
    std::string correlation;
    if (out.kind == Outgoing::Kind::kRequest) {
      channel = kRequestChannel;
      correlation = std::string(host_.node_id()) + "-" + std::to_string(next_correlation_++);
      out.properties.set_reply_to(kDirectReplyTo);
      out.properties.set_correlation_id(correlation);
    } else if (out.kind == Outgoing::Kind::kReply) {
      // A reply is as good as the requester's timeout: nobody retries it, so
      // it completes once written, without waiting for a confirm.
      channel = kRequestChannel;
    }
    bool confirmed = settings_.confirm && channel == kPublishChannel;
    uint64_t seq = confirmed ? next_seq_ : 0;
    if (confirmed && out.mandatory) out.properties.add_header(kSeqHeader, std::to_string(seq));
    set_cork(true);
    int rc = amqp_basic_publish(link_.get(), channel, to_bytes(out.exchange),
                                to_bytes(out.routing_key), out.mandatory ? 1 : 0, 0,
                                &out.properties.properties(), to_bytes(out.body));
    if (rc != AMQP_STATUS_OK) {
      // Not sent: put it and the rest back for the next connection.
      std::lock_guard lock(mutex_);
      for (size_t j = batch.size(); j-- > i;) outbox_.push_front(std::move(batch[j]));
      error = std::string("publish failed: ") + amqp_error_string2(rc);
      return false;
    }
    metrics_.published.add();
    if (confirmed) {
      ++next_seq_;
      confirms_.emplace(seq, Confirm{std::move(out.completion), out.deadline, false, {}});
    } else if (out.kind == Outgoing::Kind::kRequest) {
      requests_.emplace(correlation, Request{std::move(out.completion), out.deadline});
    } else {
      out.completion.ok();
      --pending_;
    }
    if (out.kind == Outgoing::Kind::kReply) metrics_.replies.add();
  }
  return true;
}

bool IoLoop::emit_ready() {
  // What the frames brought goes to the host in emit_batch calls; the
  // batch borrows the front deliveries, which stay in the deque until the
  // host has taken them.
  constexpr size_t kEmitBatch = 256;
  const bool manual = settings_.ack_mode == AckMode::kManual;
  bool more = true;
  while (!ready_.empty() && consuming_ && more) {
    size_t n = std::min(kEmitBatch, ready_.size());
    emitting_.clear();
    for (size_t i = 0; i < n; ++i) {
      const Ready& r = ready_[i];
      OutMessage m;
      m.payload = r.body;
      m.subject = r.routing_key;
      m.reply_to = r.reply_handle;
      for (const auto& [name, value] : r.headers) m.headers.emplace_back(name, value);
      m.attributes.emplace_back("exchange", r.exchange);
      emitting_.add(m, manual ? make_ack_id(generation_, r.tag) : 0);
    }
    size_t accepted = 0;
    Status s = emitting_.emit(host_, 0, 0, accepted);
    for (size_t i = 0; i < accepted; ++i) {
      const Ready& r = ready_.front();
      metrics_.consumed.add();
      if (manual) {
        if (r.count > 1) delivery_counts_[r.tag] = r.count;
      } else {
        acks_to_send_.acked(r.tag);  // ack_mode auto: acked once sluice took it
        metrics_.acked.add();
      }
      ready_.pop_front();
    }
    if (s == Status::kRejected) {
      // Malformed for the host: never deliverable, so not requeued.
      const Ready& r = ready_.front();
      acks_to_send_.settled(r.tag);
      amqp_basic_nack(link_.get(), kConsumeChannel, r.tag, 0, 0);
      metrics_.dead_lettered.add();
      ready_.pop_front();
    } else if (s != Status::kOk) {
      more = false;  // busy: later; closed: the host stops, the broker keeps the rest
    }
  }
  emitting_.clear();
  flush_acks();
  if (!more) return false;
  return ready_.empty() || !consuming_;  // stopped: what is left goes back to the broker
}

void IoLoop::expire(Clock::time_point now) {
  for (auto it = requests_.begin(); it != requests_.end();) {
    if (now < it->second.deadline) {
      ++it;
      continue;
    }
    it->second.completion.fail(Status::kTimeout, "no reply to the request in time");
    metrics_.requests_timeout.add();
    --pending_;
    it = requests_.erase(it);
  }
  // A confirm that never comes (the broker should always answer) fails the
  // publish so that the host retries it; its late confirm is then ignored.
  // Deadlines grow with the sequence number (one timeout for all publishes).
  for (auto it = confirms_.begin(); it != confirms_.end();) {
    if (now < it->second.deadline) break;
    it->second.completion.fail(Status::kTimeout, "no publisher confirm within publish_timeout_ms");
    metrics_.publish_failed.add();
    --pending_;
    it = confirms_.erase(it);
  }
  fail_queued_expired(now);
}

void IoLoop::fail_queued_expired(Clock::time_point now) {
  std::deque<Outgoing> expired;
  {
    std::lock_guard lock(mutex_);
    for (auto it = outbox_.begin(); it != outbox_.end();) {
      if (now >= it->deadline) {
        expired.push_back(std::move(*it));
        it = outbox_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& out : expired) {
    std::string why;
    {
      std::lock_guard lock(state_mutex_);
      why = blocked_text_.empty() ? state_text_ : blocked_text_;
    }
    out.completion.fail(out.kind == Outgoing::Kind::kRequest ? Status::kTimeout : Status::kError,
                        "not sent within publish_timeout_ms (" + why + ")");
    metrics_.publish_failed.add();
    --pending_;
  }
}

void IoLoop::fail_in_flight(const std::string& why) {
  for (auto& [seq, c] : confirms_) {
    c.completion.fail(Status::kError, why);
    metrics_.publish_failed.add();
    --pending_;
  }
  confirms_.clear();
  for (auto& [id, r] : requests_) {
    r.completion.fail(Status::kError, why);
    --pending_;
  }
  requests_.clear();
  if (blocked_) {
    metrics_.blocked_ms.add(static_cast<double>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - blocked_since_)
            .count()));
    blocked_ = false;
  }
}

void IoLoop::update_gauges() {
  metrics_.in_flight.set(static_cast<double>(confirms_.size()));
  size_t queued;
  {
    std::lock_guard lock(mutex_);
    queued = outbox_.size();
  }
  metrics_.queued.set(static_cast<double>(queued));
}

}  // namespace sluice::rabbitmq
