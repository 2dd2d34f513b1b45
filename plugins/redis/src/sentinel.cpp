// Master discovery through Redis Sentinel (see sentinel.hpp).
#include "sentinel.hpp"

#include <hiredis/hiredis.h>

namespace sluice::redis {

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

redisContext* open(const RedisEndpoint& ep, std::chrono::milliseconds timeout, std::string& error) {
  timeval tv = to_timeval(timeout);
  redisContext* c = ep.unix_path.empty() ? redisConnectWithTimeout(ep.host.c_str(), ep.port, tv)
                                         : redisConnectUnixWithTimeout(ep.unix_path.c_str(), tv);
  if (!c || c->err) {
    error = ep.describe() + ": " + (c ? c->errstr : "out of memory");
    if (c) redisFree(c);
    return nullptr;
  }
  redisSetTimeout(c, tv);
  return c;
}

redisReply* call(redisContext* c, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  return static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()));
}

}  // namespace

std::optional<std::string> parse_sentinel_address(std::string_view text, RedisEndpoint& out) {
  return parse_host_port(text, 26379, out);
}

SentinelResolver::SentinelResolver(std::vector<RedisEndpoint> sentinels, std::string master_name,
                                   std::string password, std::chrono::milliseconds timeout)
    : sentinels_(std::move(sentinels)),
      master_name_(std::move(master_name)),
      password_(std::move(password)),
      timeout_(timeout) {}

std::optional<RedisEndpoint> SentinelResolver::master(std::string& error) {
  error.clear();
  for (size_t tried = 0; tried < sentinels_.size(); ++tried) {
    size_t index = (next_ + tried) % sentinels_.size();
    const RedisEndpoint& s = sentinels_[index];
    std::string why;
    redisContext* c = open(s, timeout_, why);
    if (c && !password_.empty()) {
      redisReply* r = call(c, {"AUTH", password_});
      if (!r || r->type == REDIS_REPLY_ERROR) {
        why = s.describe() + ": AUTH refused" + (r ? ": " + std::string(r->str, r->len) : "");
        redisFree(c);
        c = nullptr;
      }
      if (r) freeReplyObject(r);
    }
    if (c) {
      redisReply* r = call(c, {"SENTINEL", "get-master-addr-by-name", master_name_});
      if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
          r->element[0]->type == REDIS_REPLY_STRING && r->element[1]->type == REDIS_REPLY_STRING) {
        RedisEndpoint master;
        master.host.assign(r->element[0]->str, r->element[0]->len);
        master.port = static_cast<uint16_t>(std::atoi(r->element[1]->str));
        freeReplyObject(r);
        redisFree(c);
        next_ = index;  // ask the one that answered first next time
        return master;
      }
      why = s.describe() + ": " +
            (!r                             ? std::string(c->errstr)
             : r->type == REDIS_REPLY_ERROR ? std::string(r->str, r->len)
                                            : "does not know master '" + master_name_ + "'");
      if (r) freeReplyObject(r);
      redisFree(c);
    }
    error += (error.empty() ? "" : "; ") + why;
  }
  error = "no sentinel named the master '" + master_name_ + "' (" + error + ")";
  return std::nullopt;
}

bool is_master(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout,
               std::string& error) {
  redisContext* c = open(endpoint, timeout, error);
  if (!c) return false;
  bool ok = true;
  if (!endpoint.password.empty()) {
    redisReply* a = endpoint.user.empty() ? call(c, {"AUTH", endpoint.password})
                                          : call(c, {"AUTH", endpoint.user, endpoint.password});
    if (a) freeReplyObject(a);
  }
  redisReply* r = call(c, {"ROLE"});
  if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 1 ||
      r->element[0]->type != REDIS_REPLY_STRING ||
      std::string_view(r->element[0]->str, r->element[0]->len) != "master") {
    error = endpoint.describe() + " is not the master (yet): ROLE says " +
            (r && r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
                     r->element[0]->type == REDIS_REPLY_STRING
                 ? std::string(r->element[0]->str, r->element[0]->len)
                 : std::string("nothing usable"));
    ok = false;
  }
  if (r) freeReplyObject(r);
  redisFree(c);
  return ok;
}

}  // namespace sluice::redis
