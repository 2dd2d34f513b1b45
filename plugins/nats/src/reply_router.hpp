// Requests and JetStream publishes share one wildcard inbox subscription:
// each outgoing message gets the reply subject <inbox>.<id>, and the answer
// (a reply, or a PubAck) completes the host's completion by id. A single
// reaper thread times out what gets no answer. Nothing blocks a host worker.
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <sluice/plugin.hpp>
#include <string>
#include <thread>
#include <unordered_map>

#include "nats_metrics.hpp"

namespace sluice::nats {

class ReplyRouter {
 public:
  enum class Kind { kRequest, kJetStreamPublish };
  using Clock = std::chrono::steady_clock;

  ReplyRouter(const Host& host, PluginMetrics& metrics);
  ~ReplyRouter();
  ReplyRouter(const ReplyRouter&) = delete;
  ReplyRouter& operator=(const ReplyRouter&) = delete;

  // Creates the inbox and starts the reaper.
  bool start(std::string& error);
  // Subscribes to <inbox>.* on `nc` unless already subscribed (cnats keeps
  // the subscription across its reconnects). Called once a connection is
  // up: cnats may replace a connection that never came up (connection.hpp).
  bool subscribe(natsConnection* nc, std::string& error);

  // Takes `completion` and returns the reply subject for the outgoing
  // message; `id` identifies the entry for take_back.
  std::string add(Kind kind, std::string_view subject, Completion& completion, int64_t timeout_ms,
                  uint64_t& id);
  // Gives a registered completion back (its message could not be sent).
  // False when it has already been answered or timed out. `deadline`
  // (optional) receives the entry's deadline.
  bool take_back(uint64_t id, Completion& completion, Clock::time_point* deadline = nullptr);
  // Registers a taken-back completion again under its old `id` (its reply
  // subject) and deadline: the message is about to be sent after all.
  void restore(uint64_t id, Kind kind, std::string_view subject, Completion& completion,
               Clock::time_point deadline, int64_t timeout_ms);

  size_t pending() const;
  // Completes everything still pending with `status` (shutdown).
  void fail_all(Status status, std::string_view why);
  // Unsubscribes and stops the reaper; waits until no callback runs.
  void stop();

 private:
  struct Entry {
    Kind kind;
    std::string subject;
    Completion completion;
    Clock::time_point deadline;
    int64_t timeout_ms;
  };

  static void on_reply(natsConnection* nc, natsSubscription* sub, natsMsg* msg, void* self);
  static void on_sub_complete(void* self);
  void answer(Entry& entry, natsMsg* msg);
  void time_out(Entry& entry);
  void reap_loop();

  const Host& host_;
  PluginMetrics& metrics_;
  natsSubscription* sub_ = nullptr;
  std::string prefix_;  // "<inbox>."

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::unordered_map<uint64_t, Entry> entries_;
  std::set<std::pair<Clock::time_point, uint64_t>> deadlines_;
  uint64_t next_id_ = 1;
  bool stopping_ = false;
  bool sub_done_ = false;
  std::thread reaper_;
};

}  // namespace sluice::nats
