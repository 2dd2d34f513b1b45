// One pipelined Redis connection (see redis_link.hpp).
#include "redis_link.hpp"

#include <fcntl.h>

namespace sluice::redis {

namespace {

// A blocking command during setup; its error text, or "" on success.
std::string setup_command(redisContext* ctx, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(ctx, static_cast<int>(argv.size()), argv.data(), lens.data()));
  if (!reply) return ctx->errstr[0] ? ctx->errstr : "no reply";
  std::string error;
  if (reply->type == REDIS_REPLY_ERROR) error = std::string(reply->str, reply->len);
  freeReplyObject(reply);
  return error;
}

}  // namespace

std::string reply_text(const redisReply* reply) {
  if (!reply) return "(no reply: connection lost)";
  switch (reply->type) {
    case REDIS_REPLY_ERROR:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_STRING:
      return std::string(reply->str, reply->len);
    case REDIS_REPLY_INTEGER:
      return "integer " + std::to_string(reply->integer);
    case REDIS_REPLY_NIL:
      return "(nil)";
    case REDIS_REPLY_ARRAY:
      return "array of " + std::to_string(reply->elements);
    default:
      return "reply type " + std::to_string(reply->type);
  }
}

std::string error_kind(const redisReply* reply) {
  if (!reply || reply->type != REDIS_REPLY_ERROR) return "";
  std::string_view text(reply->str, reply->len);
  return std::string(text.substr(0, text.find(' ')));
}

bool RedisLink::connect(const RedisEndpoint& ep, const LinkOptions& options, std::string& error) {
  close();
  describe_ = ep.describe();
  auto ms = options.connect_timeout.count();
  timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
  redisContext* ctx = ep.unix_path.empty() ? redisConnectWithTimeout(ep.host.c_str(), ep.port, tv)
                                           : redisConnectUnixWithTimeout(ep.unix_path.c_str(), tv);
  if (!ctx || ctx->err) {
    error = "cannot connect to Redis at " + describe_ + ": " +
            (ctx ? std::string(ctx->errstr) : std::string("out of memory"));
    if (ctx) redisFree(ctx);
    return false;
  }
  redisSetTimeout(ctx, tv);  // the handshake's commands
  if (ep.unix_path.empty()) redisEnableKeepAlive(ctx);
  std::string problem;
  if (!ep.password.empty()) {
    problem = ep.user.empty() ? setup_command(ctx, {"AUTH", ep.password})
                              : setup_command(ctx, {"AUTH", ep.user, ep.password});
    if (!problem.empty()) problem = "AUTH refused: " + problem;
  }
  if (problem.empty() && ep.db && *ep.db != 0) {
    problem = setup_command(ctx, {"SELECT", std::to_string(*ep.db)});
    if (!problem.empty()) problem = "SELECT " + std::to_string(*ep.db) + " refused: " + problem;
  }
  if (problem.empty() && !options.client_name.empty()) {
    problem = setup_command(ctx, {"CLIENT", "SETNAME", options.client_name});
    if (!problem.empty()) problem = "CLIENT SETNAME refused: " + problem;
  }
  if (problem.empty()) problem = setup_command(ctx, {"PING"});
  if (!problem.empty()) {
    error = "Redis at " + describe_ + ": " + problem;
    redisFree(ctx);
    return false;
  }
  // From here on: non-blocking, pipelined.
  int flags = fcntl(ctx->fd, F_GETFL, 0);
  fcntl(ctx->fd, F_SETFL, flags | O_NONBLOCK);
  ctx->flags &= ~REDIS_BLOCK;
  ctx_ = ctx;
  return true;
}

void RedisLink::close() {
  if (ctx_) {
    redisFree(ctx_);
    ctx_ = nullptr;
  }
  std::deque<Pending> left;
  left.swap(pending_);
  for (auto& p : left)
    if (p.done) p.done(nullptr);
}

bool RedisLink::command(const std::vector<std::string>& args, Callback done,
                        Clock::time_point deadline) {
  if (!ctx_) return false;
  const char* argv[64];
  size_t lens[64];
  std::vector<const char*> big_argv;
  std::vector<size_t> big_lens;
  const char** av = argv;
  size_t* al = lens;
  if (args.size() > 64) {
    big_argv.resize(args.size());
    big_lens.resize(args.size());
    av = big_argv.data();
    al = big_lens.data();
  }
  for (size_t i = 0; i < args.size(); ++i) {
    av[i] = args[i].data();
    al[i] = args[i].size();
  }
  if (redisAppendCommandArgv(ctx_, static_cast<int>(args.size()), av, al) != REDIS_OK) return false;
  if (!push_) pending_.push_back({std::move(done), Clock::now(), deadline});
  return true;
}

bool RedisLink::wants_write() const { return ctx_ && sdslen(ctx_->obuf) > 0; }

bool RedisLink::flush(std::string& error) {
  if (!ctx_) return false;
  int done = 0;
  if (redisBufferWrite(ctx_, &done) != REDIS_OK) {
    error = "write to " + describe_ + " failed: " + ctx_->errstr;
    return false;
  }
  return true;
}

bool RedisLink::read(std::string& error) {
  if (!ctx_) return false;
  if (redisBufferRead(ctx_) != REDIS_OK) {
    error = "connection to " + describe_ + " lost: " + ctx_->errstr;
    return false;
  }
  for (;;) {
    void* raw = nullptr;
    if (redisGetReplyFromReader(ctx_, &raw) != REDIS_OK) {
      error = "protocol error from " + describe_ + ": " + ctx_->errstr;
      return false;
    }
    if (!raw) return true;
    auto* reply = static_cast<redisReply*>(raw);
    if (push_) {
      push_(reply);
    } else if (!pending_.empty()) {
      Pending p = std::move(pending_.front());
      pending_.pop_front();
      if (latency_) latency_(Clock::now() - p.sent);
      if (error_observer_ && reply->type == REDIS_REPLY_ERROR) error_observer_(reply);
      if (p.done) p.done(reply);
    }
    freeReplyObject(reply);
    if (!ctx_) return true;  // a callback closed the link
  }
}

}  // namespace sluice::redis
