// The fan-out core of the WebSocket sink: clients, their subscriptions, the
// subscription index, per-subscription throttles, bounded send queues and
// the counters. No sockets here: connections plug in through
// ClientTransport, so all of it is unit-tested directly.
//
// Threads: publish() runs on the host's workers concurrently; subscribe,
// unsubscribe, connect and disconnect on the I/O threads; poll_throttles on
// a timer. Lock order: index lock -> one client's mutex -> pending mutex.
#pragma once

#include <atomic>
#include <boost/json.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <sluice/common/json_path.hpp>
#include <sluice/common/json_text.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "client.hpp"
#include "clock.hpp"
#include "protocol.hpp"
#include "subscription_index.hpp"
#include "writer_preferring_mutex.hpp"

namespace sluice::websocket {

using common::JsonPath;

struct IndexField {
  std::string name;  // what filters and query params call it, e.g. "device"
  JsonPath path;     // where it is in the payload, e.g. data.DEVICE_ID
};

// The config's ceilings on what a client may ask of a throttle, and the
// defaults when it asks nothing.
struct ThrottleCaps {
  double max_rate = 0;   // 0 = no cap
  double max_burst = 0;  // 0 = no cap
  int64_t min_interval_ms = 0;
  int64_t max_buffer = 100;
  bool keep_latest = false;  // default for subscriptions that do not say
};

struct HubOptions {
  std::vector<IndexField> index;
  // Index field whose value names the stream a throttle works per (e.g. the
  // device); empty: the message key, else its subject.
  std::string stream_key;
  ThrottleCaps caps;
  size_t send_queue = 1024;
  SlowClientPolicy slow_client_policy = SlowClientPolicy::kDropOldest;
  size_t max_clients = 10000;
  size_t max_subscriptions = 100;  // per client
  size_t max_filter_values = 10000;
};

// An event as the sink received it (borrowed for the publish call).
struct Event {
  std::string_view payload;
  std::string_view subject;
  std::optional<std::string_view> key;
  int64_t timestamp_ms = 0;
};

// A subscription as granted, for the `subscribed` answer.
struct Granted {
  std::string answer_json;
};

struct HubTotals {
  uint64_t clients = 0;
  uint64_t subscriptions = 0;
  uint64_t published = 0;
  uint64_t delivered = 0;
  uint64_t dropped = 0;
  uint64_t throttled = 0;
  uint64_t fanout_count = 0;
  uint64_t fanout_ns = 0;
  uint64_t stalled = 0;  // clients whose full queue waits for a write the peer does not take
};

class Hub {
 public:
  Hub(HubOptions options, const Clock& clock);
  ~Hub();
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  const HubOptions& options() const { return options_; }
  // The id of an index field by name, if there is one.
  std::optional<size_t> field_id(std::string_view name) const;

  // Holds a client slot (checked before the WebSocket handshake). False
  // when max_clients are connected or reserved.
  bool reserve_slot();
  void release_slot();
  // Turns a reserved slot into a client. Fails only if the identity names
  // a limit on a field that is not indexed.
  std::shared_ptr<Client> connect(ClientInfo info, ClientTransport* transport);
  // Forgets a client and its subscriptions; after it returns the hub never
  // touches the client's transport again.
  void disconnect(Client& client);

  std::variant<Granted, ProtocolError> subscribe(Client& client, const SubscribeRequest& request);
  // Whether a client with `identity` could make this subscription (used to
  // refuse a URL subscription with HTTP 403 before the handshake).
  std::optional<ProtocolError> check_subscription(const Identity& identity,
                                                  const SubscribeRequest& request) const;
  std::optional<ProtocolError> unsubscribe(Client& client, std::string_view id);

  // Queues a control answer to the client (subject to the queue bound).
  void send_control(Client& client, std::string json);

  // Fans one event out to every matching client. Never blocks on a client;
  // a stalled client (see next_frame) costs it one check, not a frame.
  void publish(const Event& event);

  // Releases throttled frames whose time has come (called on a short timer).
  void poll_throttles();

  // The writer's side: the next frame to write, or false when the queue is
  // empty (then the next queued frame wakes the transport again). A client
  // whose queue overflowed is stalled (gets no new frames) until its writer
  // calls this again, i.e. until the socket took the write in progress.
  bool next_frame(Client& client, OutFrame& frame);
  void count_delivered(Client& client, const OutFrame& frame);

  HubTotals totals() const;
  // `GET <path>/clients`: every client with its counters, and the totals.
  std::string clients_json() const;
  // Asks every client to close (shutdown).
  void close_all(uint16_t code, const std::string& reason);
  // Drops every client's connection at once (shutdown, after close_all had
  // its chance).
  void abort_all();
  size_t client_count() const;

 private:
  struct Matched;
  // Returns how many frames the client lost (0: queued).
  uint64_t enqueue_locked(Client& client, OutFrame frame);
  void set_stalled_locked(Client& client, bool stalled);
  void mark_pending(Subscription* sub);
  ThrottleSpec effective_throttle(const ThrottleRequest& request) const;
  using Limits = std::vector<std::pair<size_t, ValueSet>>;
  std::optional<Limits> limits_for(const Identity& identity) const;
  std::variant<Filter, ProtocolError> build_filter(const Limits& limits,
                                                   const SubscribeRequest& request) const;
  void remove_subscription_locked(Client& client, Subscription* sub);

  const HubOptions options_;
  const Clock& clock_;
  std::optional<size_t> stream_key_field_;

  mutable WriterPreferringMutex index_mutex_;
  SubscriptionIndex index_;
  std::unordered_map<uint64_t, std::shared_ptr<Client>> clients_;

  std::mutex pending_mutex_;
  std::unordered_set<Subscription*> pending_;  // subscriptions holding throttled frames

  std::atomic<size_t> slots_{0};
  std::atomic<uint64_t> next_client_id_{1};
  std::atomic<uint64_t> next_event_{1};
  std::atomic<uint64_t> next_tag_seed_{1};
  std::atomic<size_t> subscription_count_{0};
  std::atomic<uint64_t> published_{0};
  std::atomic<uint64_t> delivered_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> throttled_{0};
  std::atomic<uint64_t> fanout_count_{0};
  std::atomic<uint64_t> fanout_ns_{0};
  std::atomic<size_t> stalled_count_{0};
};

}  // namespace sluice::websocket
