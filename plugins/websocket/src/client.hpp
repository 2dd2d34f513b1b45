// One connected WebSocket client as the hub sees it: identity, limits,
// subscriptions, its bounded send queue and its counters. The transport (the
// Beast session) is behind an interface so the hub is tested without sockets.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "auth.hpp"
#include "send_queue.hpp"
#include "subscription.hpp"

namespace sluice::websocket {

enum class Format { kRaw, kEnvelope };

// What the hub asks of a connection. Both calls must only post work: they
// are made with hub locks held.
class ClientTransport {
 public:
  virtual ~ClientTransport() = default;
  // Frames are waiting and no write is in progress: start writing.
  virtual void wake() = 0;
  // Close the connection (e.g. it fell too far behind): with a closing
  // handshake, unless a write is stuck.
  virtual void close(uint16_t code, std::string reason) = 0;
  // Drop the connection now, without a handshake (shutdown's last word for
  // peers that did not answer close()).
  virtual void abort() = 0;
};

struct ClientCounters {
  std::atomic<uint64_t> delivered{0};  // event frames written to the socket
  std::atomic<uint64_t> dropped{0};    // frames lost to a full send queue or while stalled
  std::atomic<uint64_t> throttled{0};  // frames coalesced or dropped by a throttle
};

struct ClientInfo {
  std::string remote;  // peer address:port
  std::string path;    // the stream path it connected to
  Format format = Format::kRaw;
  Identity identity;
};

class Client {
 public:
  Client(uint64_t id, ClientInfo info, ClientTransport* transport, size_t queue_capacity,
         SlowClientPolicy policy)
      : id_(id),
        info_(std::move(info)),
        transport_(transport),
        connected_at_(std::chrono::system_clock::now()),
        queue_(queue_capacity, policy) {}

  uint64_t id() const { return id_; }
  const ClientInfo& info() const { return info_; }
  ClientCounters& counters() { return counters_; }
  const ClientCounters& counters() const { return counters_; }
  std::chrono::system_clock::time_point connected_at() const { return connected_at_; }

 private:
  friend class Hub;

  const uint64_t id_;
  const ClientInfo info_;
  ClientTransport* const transport_;
  const std::chrono::system_clock::time_point connected_at_;
  ClientCounters counters_;
  // Index field id -> the values its identity allows (tenant, capabilities, scopes).
  std::vector<std::pair<size_t, ValueSet>> limits_;

  // Guarded by the hub's index lock (changed under the exclusive lock).
  std::map<std::string, std::unique_ptr<Subscription>> subscriptions_;

  // Guarded by mutex_.
  std::mutex mutex_;
  SendQueue queue_;
  bool writing_ = false;  // a write is in flight or about to be

  // Written under mutex_, read by the fan-out without it: a client that
  // stopped reading costs each message one check, never its lock.
  std::atomic<bool> closing_{false};  // no more frames: the connection is going away
  // Its queue overflowed and its writer has not finished a write since: the
  // socket takes nothing, so new frames are dropped before they are built.
  std::atomic<bool> stalled_{false};
  // Raw format: the last event matched (one copy per event however many of
  // its subscriptions match).
  std::atomic<uint64_t> last_event_{0};
};

}  // namespace sluice::websocket
