// One connection to Redis, owned by the I/O thread: connected and set up
// (AUTH, SELECT, CLIENT SETNAME) with blocking calls under timeouts, then
// switched to non-blocking for pipelining: commands are appended to
// hiredis's output buffer, written when the socket takes them, and each
// reply goes to its command's callback in order. A link in push mode
// (pub/sub) hands every reply to one handler instead. hiredis contexts are
// not thread-safe: only the I/O thread touches a link.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "redis_url.hpp"

namespace sluice::redis {

struct LinkOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::string client_name;
};

class RedisLink {
 public:
  using Clock = std::chrono::steady_clock;
  // `reply` is null when the connection was lost before the reply came.
  using Callback = std::function<void(redisReply* reply)>;

  RedisLink() = default;
  ~RedisLink() { close(); }
  RedisLink(const RedisLink&) = delete;
  RedisLink& operator=(const RedisLink&) = delete;

  // Connects and sets up; false with `error` naming the server and the cause.
  bool connect(const RedisEndpoint& endpoint, const LinkOptions& options, std::string& error);
  // Closes the connection; pending callbacks get a null reply.
  void close();
  bool connected() const { return ctx_ != nullptr; }
  int fd() const { return ctx_ ? ctx_->fd : -1; }

  // Every reply goes to `handler` (pub/sub); commands then take no callback.
  void set_push_handler(Callback handler) { push_ = std::move(handler); }

  // Appends a command; `done` gets its reply. False when not connected.
  bool command(const std::vector<std::string>& args, Callback done, Clock::time_point deadline);

  bool wants_write() const;
  // Write what is buffered / read and dispatch what arrived. False when the
  // connection broke (then `error` says why; call close()).
  bool flush(std::string& error);
  bool read(std::string& error);

  size_t pending() const { return pending_.size(); }
  // True when the oldest command is past its deadline.
  bool overdue(Clock::time_point now) const {
    return !pending_.empty() && pending_.front().deadline < now;
  }
  // The wait before the oldest command's deadline, if any.
  std::optional<Clock::time_point> next_deadline() const {
    if (pending_.empty()) return std::nullopt;
    return pending_.front().deadline;
  }
  // Sees every error reply before its command's callback (a cluster's
  // MOVED, whoever sent the command).
  void set_error_observer(std::function<void(redisReply*)> fn) { error_observer_ = std::move(fn); }
  // Observes each reply's round-trip time (metrics).
  void set_latency_observer(std::function<void(std::chrono::nanoseconds)> fn) {
    latency_ = std::move(fn);
  }

 private:
  struct Pending {
    Callback done;
    Clock::time_point sent;
    Clock::time_point deadline;
  };
  redisContext* ctx_ = nullptr;
  std::deque<Pending> pending_;
  Callback push_;
  std::function<void(std::chrono::nanoseconds)> latency_;
  std::function<void(redisReply*)> error_observer_;
  std::string describe_;
};

// A reply as text for error messages ("ERR ...", "(nil)", "integer 3", ...).
std::string reply_text(const redisReply* reply);
// The error kind of an error reply: its first word ("WRONGTYPE", "NOGROUP").
std::string error_kind(const redisReply* reply);

}  // namespace sluice::redis
