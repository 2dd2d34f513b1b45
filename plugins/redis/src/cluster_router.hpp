// Redis Cluster on the I/O thread: the slot map (CLUSTER SLOTS from the
// seeds or a known master, at connect and again after a MOVED), one
// pipelined command link per master, and keyed commands sent to the master
// of their key's slot. A MOVED reply patches the map and sends the command
// again to the new master; an ASK reply sends ASKING and the command to the
// named node once; after kMaxRedirects the command fails with the last
// redirect's text. Redirected commands are sent from poll(), never from
// inside the reply callback that saw the redirect.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <sluice/plugin.hpp>
#include <string>
#include <utility>
#include <vector>

#include "redis_link.hpp"
#include "redis_metrics.hpp"
#include "redis_url.hpp"
#include "slot_map.hpp"

namespace sluice::redis {

class ClusterRouter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kMaxRedirects = 5;

  // `seeds` carry the user and password for every node.
  ClusterRouter(Host host, std::vector<RedisEndpoint> seeds, LinkOptions options,
                RedisMetrics& metrics);

  bool enabled() const { return !seeds_.empty(); }
  // Reads the slot map and connects to every master; false with `error`
  // naming the node that failed.
  bool connect(std::string& error);
  // Closes every link; what waits for a reply or a redirect gets null.
  void close();

  // The link to the node at "host:port" (connected on demand), or null.
  RedisLink* link_for(const std::string& address, std::string& error);
  // A command on `key`'s master, redirects followed; false when that master
  // cannot be reached (then `done` is not called).
  bool command(std::string_view key, std::vector<std::string> args, RedisLink::Callback done,
               Clock::time_point deadline);
  // Sends what was redirected and refreshes the map after a MOVED.
  void poll(Clock::time_point now);

  // A MOVED seen by any link (also one not sent through command()):
  // patches the map and schedules a refresh. Other replies are ignored.
  void observe(redisReply* reply);

  std::vector<RedisLink*> links();
  // Why a node could not be connected on demand since the last call, or "":
  // the loop then reconnects everything with backoff rather than trying
  // again (a blocking connect) for every command.
  std::string take_failure() { return std::exchange(failure_, {}); }
  // Counts the MOVED replies seen: a consumer bound to a node compares it.
  uint64_t moves() const { return moves_; }
  // The master that serves `key`; "" when unknown.
  const std::string& owner_of_key(std::string_view key) const { return map_.owner_of_key(key); }
  // Every master's "host:port", and a node's endpoint (with the seeds' user
  // and password).
  const std::vector<std::string>& masters() const { return map_.masters(); }
  RedisEndpoint endpoint_of(const std::string& address, std::string& error) const;
  std::string describe() const;

 private:
  struct Routed {
    std::vector<std::string> args;
    RedisLink::Callback done;
    Clock::time_point deadline;
    int redirects = 0;
  };
  struct Pending {
    std::shared_ptr<Routed> command;
    std::string address;
    bool asking = false;
  };

  bool send(RedisLink& link, const std::string& address, std::shared_ptr<Routed> command,
            bool asking);
  void on_redirect(std::shared_ptr<Routed> command, Redirect redirect, redisReply* reply);
  bool refresh(std::string& error);

  Host host_;
  std::vector<RedisEndpoint> seeds_;
  LinkOptions options_;
  RedisMetrics& metrics_;
  SlotMap map_;
  std::map<std::string, std::unique_ptr<RedisLink>> nodes_;  // by "host:port"
  std::vector<Pending> redirected_;
  bool refresh_due_ = false;
  Clock::time_point last_refresh_{};
  uint64_t moves_ = 0;
  std::string failure_;
};

}  // namespace sluice::redis
