// The connection-owning I/O thread (see io_loop.hpp).
#include "io_loop.hpp"

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "kv_command.hpp"
#include "routing_key.hpp"

namespace sluice::redis {

namespace {

constexpr size_t kSendBatch = 1024;  // publishes moved to the command link per turn
constexpr size_t kAckBatch = 256;    // acks that wake the loop at once
const auto kAckLinger = std::chrono::milliseconds(1);  // how long fewer wait
const auto kIdlePoll = std::chrono::milliseconds(100);
const auto kBusyRetry = std::chrono::milliseconds(2);

// Error replies worth retrying: the server may take the same command later.
bool transient(std::string_view kind) {
  return kind == "OOM" || kind == "LOADING" || kind == "BUSY" || kind == "TRYAGAIN" ||
         kind == "CLUSTERDOWN" || kind == "MASTERDOWN" || kind == "READONLY" || kind == "MOVED" ||
         kind == "ASK";
}

// A cluster's seeds: `url`'s node, then `cluster_seeds`; none without `cluster`.
std::vector<RedisEndpoint> cluster_seeds(const RedisSettings& settings) {
  std::vector<RedisEndpoint> out;
  if (!settings.cluster) return out;
  out.push_back(settings.endpoint);
  for (const auto& address : settings.cluster_seeds) {
    RedisEndpoint seed;
    if (parse_host_port(address, 6379, seed)) continue;  // refused by validate_settings
    seed.user = settings.endpoint.user;
    seed.password = settings.endpoint.password;
    out.push_back(seed);
  }
  return out;
}

LinkOptions link_options_of(const RedisSettings& settings) {
  LinkOptions options;
  options.connect_timeout = std::chrono::milliseconds(settings.connect_timeout_ms);
  options.client_name = settings.client_name;
  return options;
}

}  // namespace

IoLoop::IoLoop(Host host, const RedisSettings& settings, RedisMetrics& metrics)
    : host_(std::move(host)),
      settings_(settings),
      metrics_(metrics),
      sentinel_(
          [&] {
            std::vector<RedisEndpoint> out;
            for (const auto& a : settings.sentinels) {
              RedisEndpoint ep;
              if (!parse_sentinel_address(a, ep)) out.push_back(ep);
            }
            return out;
          }(),
          settings.master_name, settings.sentinel_password,
          std::chrono::milliseconds(settings.connect_timeout_ms)),
      backoff_policy_(settings.reconnect.backoff()),
      streams_(host_, settings_, metrics_, ready_,
               settings_.cluster ? std::vector<std::string>() : settings_.streams),
      lists_(host_, settings_, metrics_, ready_,
             settings_.cluster ? std::vector<std::string>() : settings_.lists),
      cluster_(host_, cluster_seeds(settings_), link_options_of(settings_), metrics_),
      cluster_streams_(host_, settings_, metrics_, ready_, settings_.streams, "stream"),
      cluster_lists_(host_, settings_, metrics_, ready_, settings_.lists, "list") {
  link_options_ = link_options_of(settings_);
  ready_.max_buffered = static_cast<size_t>(settings_.max_buffered);
  // Unique per process: a reply meant for an earlier run never arrives here.
  char nonce[17];
  std::snprintf(nonce, sizeof nonce, "%016llx",
                static_cast<unsigned long long>(std::random_device{}()) << 32 ^
                    static_cast<unsigned long long>(std::random_device{}()));
  reply_channel_ = "sluice:reply:" + std::string(host_.node_id()) + ":" +
                   std::string(host_.connector_name()) + ":" + nonce;
  request_channels_.insert(settings_.requests.begin(), settings_.requests.end());
  for (size_t i = 0; i < lists_.lists(); ++i) list_links_.push_back(std::make_unique<RedisLink>());
  sub_.set_push_handler([this](redisReply* r) { on_push(r); });
  cmd_.set_latency_observer([this](std::chrono::nanoseconds d) { metrics_.observe_latency(d); });
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

IoLoop::~IoLoop() {
  shutdown(std::chrono::milliseconds(0));
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void IoLoop::start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "redis-io");
    run();
  });
}

void IoLoop::stop_consuming() {
  consuming_ = false;
  wake();
}

void IoLoop::shutdown(std::chrono::milliseconds timeout) {
  if (thread_.joinable()) {
    auto deadline = Clock::now() + timeout;
    while ((pending_.load() > 0 || acks_waiting_.load() > 0) && Clock::now() < deadline) {
      {
        std::lock_guard lock(state_mutex_);
        if (!up_) break;  // nothing can complete while down
      }
      wake();
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    stop_ = true;
    wake();
    thread_.join();
  }
  std::deque<Outgoing> left;
  {
    std::lock_guard lock(mutex_);
    left.swap(outbox_);
  }
  for (auto& out : left) {
    out.completion.fail(Status::kClosed, "the Redis connector is shutting down");
    --pending_;
  }
  for (auto& [id, r] : requests_)
    r.completion->fail(Status::kClosed, "the Redis connector is shutting down");
  requests_.clear();
}

void IoLoop::wake() {
  if (wake_fd_ < 0) return;
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

Status IoLoop::send(Outgoing&& out, std::string& error) {
  if (stop_) {
    error = "the Redis connector is shutting down";
    return Status::kClosed;
  }
  if (pending_.load() >= static_cast<size_t>(settings_.max_pending_commands)) return Status::kBusy;
  {
    std::lock_guard lock(mutex_);
    outbox_.push_back(std::move(out));
  }
  ++pending_;
  if (polling_.exchange(false)) wake();
  return Status::kOk;
}

void IoLoop::ack(uint64_t ack_id, Outcome outcome) {
  size_t queued;
  {
    std::lock_guard lock(mutex_);
    acks_.push_back({ack_id, outcome});
    queued = acks_.size();
  }
  acks_waiting_ = 1;
  // Acks are collected for up to kAckLinger (one XACK for many entries, one
  // wake-up for many acks); a full batch wakes the loop at once.
  if (queued >= kAckBatch && polling_.exchange(false)) wake();
}

Health IoLoop::health() const {
  std::lock_guard lock(state_mutex_);
  Health h;
  h.healthy = up_ && problem_text_.empty();
  h.message = state_text_;
  if (!problem_text_.empty()) h.message += "; " + problem_text_;
  return h;
}

void IoLoop::publish_problems() {
  std::string problem = streams_.problem();
  if (std::string c = cluster_streams_.problem(); !c.empty())
    problem = problem.empty() ? c : problem + "; " + c;
  if (std::string c = cluster_lists_.problem(); !c.empty())
    problem = problem.empty() ? c : problem + "; " + c;
  if (std::string l = lists_.problem(); !l.empty())
    problem = problem.empty() ? l : problem + "; " + l;
  if (problem == last_problem_) return;
  last_problem_ = problem;
  std::lock_guard lock(state_mutex_);
  problem_text_ = problem;
}

void IoLoop::set_state(bool up, std::string why) {
  std::lock_guard lock(state_mutex_);
  if (!up && up_ && !stop_) host_.logf(LogLevel::kWarn, "Redis connection lost: %s", why.c_str());
  up_ = up;
  state_text_ = std::move(why);
  metrics_.connected.set(up ? 1 : 0);
}

void IoLoop::collect_links(std::vector<RedisLink*>& out) {
  out = {&cmd_, &sub_, &stream_block_};
  for (auto& l : list_links_) out.push_back(l.get());
  if (!cluster_.enabled()) return;
  for (RedisLink* l : cluster_.links()) out.push_back(l);
  cluster_streams_.links(out);
  cluster_lists_.links(out);
}

bool IoLoop::connect_all(std::string& error) {
  RedisEndpoint ep = settings_.endpoint;
  if (sentinel_.enabled()) {
    auto master = sentinel_.master(error);
    if (!master) return false;
    ep.host = master->host;
    ep.port = master->port;
    ep.unix_path.clear();
    // Right after a failover a sentinel may still name the old master.
    if (!is_master(ep, std::chrono::milliseconds(settings_.connect_timeout_ms), error))
      return false;
    std::string addr = ep.describe();
    if (!master_addr_.empty() && addr != master_addr_) {
      metrics_.failovers.add();
      host_.logf(LogLevel::kWarn, "following a failover: the master of '%s' is now %s (was %s)",
                 settings_.master_name.c_str(), addr.c_str(), master_addr_.c_str());
    }
    master_addr_ = addr;
  }
  if (cluster_.enabled()) {
    if (!cluster_.connect(error)) return false;
    // Pub/sub and PUBLISH on one master: Cluster broadcasts publishes to every node.
    ep = cluster_.endpoint_of(cluster_.masters().front(), error);
    if (!error.empty()) return false;
    if (!cluster_streams_.connect(cluster_, link_options_, error)) return false;
    if (!cluster_lists_.connect(cluster_, link_options_, error)) return false;
  }
  current_ = ep;
  if (!cmd_.connect(ep, link_options_, error)) return false;
  // Always: it also carries the replies to this connector's requests.
  if (!sub_.connect(ep, link_options_, error)) return false;
  if (streams_.enabled() && !stream_block_.connect(ep, link_options_, error)) return false;
  for (auto& l : list_links_)
    if (!l->connect(ep, link_options_, error)) return false;
  return true;
}

void IoLoop::disconnect_all(const std::string& why) {
  (void)why;
  streams_.on_disconnected();
  cluster_streams_.on_disconnected();
  cluster_lists_.on_disconnected();
  lists_.on_disconnected();
  std::vector<RedisLink*> all;
  collect_links(all);
  for (RedisLink* l : all) l->close();  // publishes fail, acks wait for the next link
  cluster_.close();
}

void IoLoop::run() {
  int failed_attempts = 0;
  while (!stop_) {
    std::string error;
    if (connect_all(error)) {
      if (ever_up_) metrics_.reconnects.add();
      ever_up_ = true;
      failed_attempts = 0;
      ++connections_;
      std::string where =
          cluster_.enabled() ? "cluster of " + cluster_.describe() : current_.describe();
      set_state(true, "connected to " + where);
      // The count keeps the line apart from the last one (the host folds repeats).
      host_.logf(LogLevel::kInfo, "Redis connector ready (%s, connection %llu)", where.c_str(),
                 static_cast<unsigned long long>(connections_));
      std::string why = serve();
      disconnect_all(why);
      if (stop_) break;
      set_state(false, "disconnected: " + why + "; reconnecting");
      continue;  // first retry at once, then back off
    }
    disconnect_all(error);
    set_state(false, error + "; retrying");
    host_.logf(LogLevel::kError, "%s", error.c_str());
    auto until = Clock::now() + backoff_.after(backoff_policy_, ++failed_attempts);
    while (!stop_ && Clock::now() < until) {
      fail_queued_expired(Clock::now());
      expire_requests(Clock::now());
      pollfd p{wake_fd_, POLLIN, 0};
      ::poll(&p, 1, 50);
      uint64_t drain;
      [[maybe_unused]] ssize_t n = ::read(wake_fd_, &drain, sizeof drain);
    }
  }
  set_state(false, "stopped");
}

void IoLoop::take_outbox(Clock::time_point now) {
  // Until the reply channel is subscribed a reply could be missed: wait
  // (a round trip after connecting).
  if (!reply_subscribed_) return;
  std::deque<Outgoing> batch;
  {
    std::lock_guard lock(mutex_);
    size_t n = std::min(outbox_.size(), kSendBatch);
    for (size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(outbox_.front()));
      outbox_.pop_front();
    }
  }
  for (auto& out : batch) {
    if (out.kind == Outgoing::Kind::kRequest) {
      send_request(out, now);
      continue;
    }
    send_command(out, now);
  }
}

void IoLoop::send_command(Outgoing& out, Clock::time_point now) {
  auto completion = std::make_shared<Completion>(std::move(out.completion));
  std::string verb = out.args.empty() ? "" : out.args[0];
  bool kv = out.kind == Outgoing::Kind::kKv;
  RedisLink::Callback done = [this, completion, verb, kv](redisReply* r) {
    --pending_;
    if (!r) {
      metrics_.publish_failed.add();
      completion->fail(Status::kError,
                       "the connection to Redis was lost before " + verb + " was answered");
      return;
    }
    if (r->type == REDIS_REPLY_ERROR) {
      std::string kind = error_kind(r);
      metrics_.count_error(kind);
      if (kind == "READONLY") reconnect_ = true;  // a replica now: find the master
      metrics_.publish_failed.add();
      completion->fail(transient(kind) ? Status::kError : Status::kRejected,
                       "Redis refused " + verb + ": " + reply_text(r));
      return;
    }
    if (kv) {
      std::string payload = kv_reply(r);
      OutMessage reply;
      reply.payload = payload;
      completion->reply(reply);
      return;
    }
    metrics_.published.add();
    completion->ok();
  };
  auto deadline =
      std::min(out.deadline, now + std::chrono::milliseconds(settings_.command_timeout_ms));
  bool ok;
  std::optional<std::string_view> key;
  if (cluster_.enabled()) key = routing_key(out.args);
  if (key) {
    // The key's master; a copy of the key, since the args move into the router.
    std::string k(*key);
    ok = cluster_.command(k, std::move(out.args), std::move(done), deadline);
  } else {
    ok = cmd_.command(out.args, std::move(done), deadline);
  }
  if (!ok) {
    --pending_;
    metrics_.publish_failed.add();
    completion->fail(Status::kError, "could not queue " + verb + " on the Redis connection");
    return;
  }
  metrics_.commands.add();
}

void IoLoop::take_acks(Clock::time_point now) {
  std::vector<AckCommand> acks;
  {
    std::lock_guard lock(mutex_);
    bool linger = acks_.size() < kAckBatch && now - acks_collected_ < kAckLinger && consuming_;
    if (!linger) {
      acks.swap(acks_);
      acks_collected_ = now;
    }
  }
  for (const auto& a : acks) {
    switch (ack_kind(a.ack_id)) {
      case AckKind::kStream:
        if (cluster_streams_.enabled())
          cluster_streams_.ack(ack_seq(a.ack_id), a.outcome);
        else
          streams_.ack(ack_seq(a.ack_id), a.outcome);
        break;
      case AckKind::kList:
        if (cluster_lists_.enabled())
          cluster_lists_.ack(ack_seq(a.ack_id), a.outcome);
        else
          lists_.ack(ack_seq(a.ack_id), a.outcome);
        break;
      case AckKind::kNone:
        break;
    }
  }
  streams_.flush_acks(cmd_, now);
  cluster_streams_.flush_acks(cluster_, now);
  cluster_lists_.flush_acks(cluster_, now);
  lists_.flush_acks(cmd_, now);
}

void IoLoop::emit_ready() {
  if (!consuming_) {
    for (const auto& r : ready_.items)
      if (r.ack_id == 0) metrics_.pubsub_dropped.add();
    ready_.items.clear();  // stream entries and list items stay pending in Redis
    return;
  }
  // What one XREADGROUP, LMOVE round or pub/sub read brought goes to the
  // host in emit_batch calls; the batch borrows the front items, which stay
  // in the deque until the host has taken them.
  constexpr size_t kEmitBatch = 256;
  while (!ready_.items.empty()) {
    size_t n = std::min(kEmitBatch, ready_.items.size());
    emitting_.clear();
    for (size_t i = 0; i < n; ++i) {
      const Ready& r = ready_.items[i];
      OutMessage m;
      m.subject = r.subject;
      m.payload = r.payload;
      m.reply_to = r.reply_to;
      for (const auto& [name, value] : r.headers) m.headers.emplace_back(name, value);
      for (const auto& [name, value] : r.attributes) m.attributes.emplace_back(name, value);
      emitting_.add(m, r.ack_id);
    }
    size_t accepted = 0;
    Status s = emitting_.emit(host_, 0, 0, accepted);
    ready_.items.erase(ready_.items.begin(), ready_.items.begin() + static_cast<long>(accepted));
    if (s == Status::kOk) continue;
    if (s == Status::kBusy) break;
    if (s == Status::kClosed) {
      ready_.items.clear();
      break;
    }
    // Refused (malformed): that one is dropped, and nacked if it is an entry.
    Ready& r = ready_.items.front();
    host_.logf(LogLevel::kError, "sluice refused a message from %s", r.subject.c_str());
    if (r.ack_id != 0) ack(r.ack_id, Outcome::kNack);
    ready_.items.pop_front();
  }
  emitting_.clear();
  metrics_.buffered.set(static_cast<double>(ready_.items.size()));
}

void IoLoop::fail_queued_expired(Clock::time_point now) {
  std::vector<Outgoing> expired;
  {
    std::lock_guard lock(mutex_);
    for (auto it = outbox_.begin(); it != outbox_.end();) {
      if (it->deadline <= now) {
        expired.push_back(std::move(*it));
        it = outbox_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& out : expired) {
    --pending_;
    metrics_.publish_failed.add();
    out.completion.fail(Status::kError, "not sent: Redis unreachable (" + state_text_copy() + ")");
  }
}

std::string IoLoop::state_text_copy() const {
  std::lock_guard lock(state_mutex_);
  return state_text_;
}

std::string IoLoop::serve() {
  auto now = Clock::now();
  streams_.on_connected(cmd_, now);
  cluster_streams_.on_connected(cluster_, now);
  cluster_lists_.on_connected(cluster_, now);
  lists_.on_connected(cmd_, now);
  reply_subscribed_ = false;
  if (sub_.connected()) {
    auto deadline = now + std::chrono::milliseconds(settings_.command_timeout_ms);
    std::vector<std::string> args = {"SUBSCRIBE", reply_channel_};
    args.insert(args.end(), settings_.channels.begin(), settings_.channels.end());
    args.insert(args.end(), settings_.requests.begin(), settings_.requests.end());
    sub_.command(args, nullptr, deadline);
    if (!settings_.patterns.empty()) {
      std::vector<std::string> args = {"PSUBSCRIBE"};
      args.insert(args.end(), settings_.patterns.begin(), settings_.patterns.end());
      sub_.command(args, nullptr, deadline);
    }
  }
  std::vector<RedisLink*> all;
  std::vector<pollfd> fds;
  uint64_t moves_seen = cluster_.moves();
  std::string error;
  while (!stop_) {
    now = Clock::now();
    take_outbox(now);
    take_acks(now);
    if (!requests_.empty()) expire_requests(now);
    bool consuming = consuming_;
    if (cluster_.enabled()) {
      cluster_.poll(now);
      if (std::string failure = cluster_.take_failure(); !failure.empty()) return failure;
      if (cluster_.moves() != moves_seen) {
        moves_seen = cluster_.moves();
        if (std::string why = cluster_streams_.moved(cluster_); !why.empty()) return why;
        if (std::string why = cluster_lists_.moved(cluster_); !why.empty()) return why;
      }
      cluster_streams_.poll(cluster_, now, consuming);
      cluster_lists_.poll(cluster_, now, consuming);
    }
    streams_.poll(cmd_, stream_block_, now, consuming);
    for (size_t i = 0; i < list_links_.size(); ++i) lists_.poll(i, *list_links_[i], now, consuming);
    emit_ready();
    acks_waiting_ = streams_.acks_pending() || cluster_streams_.acks_pending() ||
                    lists_.acks_pending() || cluster_lists_.acks_pending();
    publish_problems();
    metrics_.in_flight.set(static_cast<double>(streams_.in_flight() + cluster_streams_.in_flight() +
                                               lists_.in_flight()));
    collect_links(all);  // a redirect may have connected another node

    for (RedisLink* l : all)
      if (l->wants_write() && !l->flush(error)) return error;

    fds.clear();
    fds.push_back({wake_fd_, POLLIN, 0});
    for (RedisLink* l : all) {
      short events = 0;
      if (l->connected()) {
        // Pub/sub pauses while sluice has no room: Redis buffers meanwhile.
        if (l != &sub_ || ready_.has_room()) events |= POLLIN;
        if (l->wants_write()) events |= POLLOUT;
      }
      fds.push_back({l->connected() ? l->fd() : -1, events, 0});
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(kIdlePoll);
    if (!ready_.items.empty()) wait = kBusyRetry;
    auto next = streams_.enabled() ? streams_.next_wakeup() : now + kIdlePoll;
    if (cluster_streams_.enabled()) next = std::min(next, cluster_streams_.next_wakeup());
    for (RedisLink* l : all)
      if (auto d = l->next_deadline()) next = std::min(next, *d);
    if (next <= now) {
      wait = std::chrono::milliseconds(0);
    } else {
      wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(next - now) +
                                std::chrono::milliseconds(1));
    }
    polling_ = true;
    {
      std::lock_guard lock(mutex_);
      if (!outbox_.empty() || acks_.size() >= kAckBatch)
        wait = std::chrono::milliseconds(0);
      else if (!acks_.empty())
        wait = std::min(wait, kAckLinger);
    }
    int n = ::poll(fds.data(), fds.size(), static_cast<int>(wait.count()));
    polling_ = false;
    if (n < 0) continue;
    if (fds[0].revents & POLLIN) {
      uint64_t drain;
      [[maybe_unused]] ssize_t r = ::read(wake_fd_, &drain, sizeof drain);
    }
    for (size_t i = 0; i < all.size(); ++i) {
      short re = fds[i + 1].revents;
      if (re & (POLLIN | POLLHUP | POLLERR))
        if (!all[i]->read(error)) return error;
      if ((re & POLLOUT) && !all[i]->flush(error)) return error;
    }
    if (reconnect_) {
      reconnect_ = false;
      return "the server is a replica now (READONLY); looking for the master";
    }
    now = Clock::now();
    for (RedisLink* l : all)
      if (l->overdue(now))
        return "no reply within " + std::to_string(settings_.command_timeout_ms) +
               " ms (command_timeout_ms)";
  }
  return "stopping";
}

}  // namespace sluice::redis
