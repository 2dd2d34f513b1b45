// Redis Cluster routing and redirection (see cluster_router.hpp).
#include "cluster_router.hpp"

namespace sluice::redis {

namespace {

// A refresh after a MOVED is at most this frequent: a migration answers
// many pipelined commands with MOVED at once.
const auto kRefreshInterval = std::chrono::milliseconds(100);

timeval to_timeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

// CLUSTER SLOTS from one node over a short-lived blocking connection.
bool ask_slots(const RedisEndpoint& ep, std::chrono::milliseconds timeout, SlotMap& map,
               std::string& error) {
  timeval tv = to_timeval(timeout);
  redisContext* c = redisConnectWithTimeout(ep.host.c_str(), ep.port, tv);
  if (!c || c->err) {
    error = ep.describe() + ": " + (c ? c->errstr : "out of memory");
    if (c) redisFree(c);
    return false;
  }
  redisSetTimeout(c, tv);
  auto call = [&](std::vector<const char*> argv) {
    return static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), nullptr));
  };
  bool ok = true;
  if (!ep.password.empty()) {
    redisReply* a = ep.user.empty() ? call({"AUTH", ep.password.c_str()})
                                    : call({"AUTH", ep.user.c_str(), ep.password.c_str()});
    if (!a || a->type == REDIS_REPLY_ERROR) {
      error = ep.describe() + ": AUTH refused" + (a ? ": " + std::string(a->str, a->len) : "");
      ok = false;
    }
    if (a) freeReplyObject(a);
  }
  if (ok) {
    redisReply* r = call({"CLUSTER", "SLOTS"});
    if (!r) {
      error = ep.describe() + ": " + c->errstr;
      ok = false;
    } else if (r->type == REDIS_REPLY_ERROR) {
      error = ep.describe() + ": CLUSTER SLOTS refused: " + std::string(r->str, r->len);
      ok = false;
    } else if (!map.assign(r, error)) {
      error = ep.describe() + ": " + error;
      ok = false;
    }
    if (r) freeReplyObject(r);
  }
  redisFree(c);
  return ok;
}

}  // namespace

ClusterRouter::ClusterRouter(Host host, std::vector<RedisEndpoint> seeds, LinkOptions options,
                             RedisMetrics& metrics)
    : host_(std::move(host)),
      seeds_(std::move(seeds)),
      options_(std::move(options)),
      metrics_(metrics) {}

RedisEndpoint ClusterRouter::endpoint_of(const std::string& address, std::string& error) const {
  RedisEndpoint ep;
  if (auto problem = parse_host_port(address, 6379, ep)) error = "node " + *problem;
  ep.user = seeds_.front().user;
  ep.password = seeds_.front().password;
  return ep;
}

bool ClusterRouter::refresh(std::string& error) {
  last_refresh_ = Clock::now();
  // The masters known already first (a seed may be gone for good), then the seeds.
  std::vector<RedisEndpoint> candidates;
  for (const auto& address : map_.masters()) {
    std::string ignored;
    candidates.push_back(endpoint_of(address, ignored));
  }
  candidates.insert(candidates.end(), seeds_.begin(), seeds_.end());
  std::string why;
  for (const auto& ep : candidates) {
    std::string e;
    if (ask_slots(ep, options_.connect_timeout, map_, e)) return true;
    why += (why.empty() ? "" : "; ") + e;
  }
  error = "no cluster node gave its slot map (" + why + ")";
  return false;
}

bool ClusterRouter::connect(std::string& error) {
  close();
  if (!refresh(error)) return false;
  for (const auto& address : map_.masters())
    if (!link_for(address, error)) return false;
  return true;
}

void ClusterRouter::close() {
  std::vector<Pending> left;
  left.swap(redirected_);
  for (auto& p : left)
    if (p.command->done) p.command->done(nullptr);
  for (auto& [address, link] : nodes_) link->close();
  nodes_.clear();
  refresh_due_ = false;
  failure_.clear();
}

RedisLink* ClusterRouter::link_for(const std::string& address, std::string& error) {
  auto it = nodes_.find(address);
  if (it != nodes_.end() && it->second->connected()) return it->second.get();
  RedisEndpoint ep = endpoint_of(address, error);
  if (!error.empty()) return nullptr;
  auto link = std::make_unique<RedisLink>();
  link->set_latency_observer([this](std::chrono::nanoseconds d) { metrics_.observe_latency(d); });
  link->set_error_observer([this](redisReply* r) { observe(r); });
  if (!link->connect(ep, options_, error)) {
    failure_ = error;
    return nullptr;
  }
  RedisLink* raw = link.get();
  if (it != nodes_.end())
    it->second = std::move(link);  // a link closed earlier: nothing waits on it any more
  else
    nodes_.emplace(address, std::move(link));
  return raw;
}

bool ClusterRouter::command(std::string_view key, std::vector<std::string> args,
                            RedisLink::Callback done, Clock::time_point deadline) {
  std::string error;
  const std::string& owner = map_.owner_of_key(key);
  RedisLink* link = owner.empty() ? nullptr : link_for(owner, error);
  if (!link) return false;
  auto routed = std::make_shared<Routed>(Routed{std::move(args), std::move(done), deadline, 0});
  return send(*link, owner, std::move(routed), false);
}

bool ClusterRouter::send(RedisLink& link, const std::string& address,
                         std::shared_ptr<Routed> command, bool asking) {
  if (asking && !link.command({"ASKING"}, nullptr, command->deadline)) return false;
  Clock::time_point deadline = command->deadline;
  const std::vector<std::string>& args = command->args;
  return link.command(
      args,
      [this, command, address](redisReply* r) {
        if (auto redirect = parse_redirect(r)) {
          if (redirect->address.front() == ':')  // no host announced: the replying node's
            redirect->address = address.substr(0, address.rfind(':')) + redirect->address;
          on_redirect(command, std::move(*redirect), r);
          return;
        }
        if (command->done) command->done(r);
      },
      deadline);
}

void ClusterRouter::on_redirect(std::shared_ptr<Routed> command, Redirect redirect,
                                redisReply* reply) {
  if (++command->redirects > kMaxRedirects) {
    // Said in the reply itself, so the caller's error names both.
    std::string text = std::string(reply->str, reply->len) + " (redirected " +
                       std::to_string(kMaxRedirects) + " times: sluice gave up)";
    redisReply gave_up{};
    gave_up.type = REDIS_REPLY_ERROR;
    gave_up.str = text.data();
    gave_up.len = text.size();
    if (command->done) command->done(&gave_up);
    return;
  }
  metrics_.redirects.add();
  redirected_.push_back({std::move(command), std::move(redirect.address), redirect.ask});
}

void ClusterRouter::observe(redisReply* reply) {
  auto redirect = parse_redirect(reply);
  if (!redirect || redirect->ask) return;  // ASK: one command, the map stays
  // A MOVED without a host keeps the old map entry: the refresh will say.
  if (redirect->address.front() != ':') map_.move(redirect->slot, redirect->address);
  refresh_due_ = true;
  ++moves_;
}

void ClusterRouter::poll(Clock::time_point now) {
  if (refresh_due_ && now - last_refresh_ >= kRefreshInterval) {
    refresh_due_ = false;
    std::string error;
    // On failure the map keeps the MOVED patches: good enough until the next one.
    if (!refresh(error))
      host_.logf(LogLevel::kWarn, "Redis Cluster: %s; keeping the slot map as MOVED replies say",
                 error.c_str());
  }
  std::vector<Pending> batch;
  batch.swap(redirected_);
  for (auto& p : batch) {
    std::string error;
    RedisLink* link = link_for(p.address, error);
    if (!link || !send(*link, p.address, p.command, p.asking)) {
      host_.logf(LogLevel::kWarn, "Redis Cluster: cannot follow a redirect to %s: %s",
                 p.address.c_str(), error.c_str());
      if (p.command->done) p.command->done(nullptr);
    }
  }
}

std::vector<RedisLink*> ClusterRouter::links() {
  std::vector<RedisLink*> out;
  for (auto& [address, link] : nodes_) out.push_back(link.get());
  return out;
}

std::string ClusterRouter::describe() const {
  std::string out = std::to_string(map_.masters().size()) + " masters (";
  for (size_t i = 0; i < map_.masters().size(); ++i) out += (i ? ", " : "") + map_.masters()[i];
  return out + ")";
}

}  // namespace sluice::redis
