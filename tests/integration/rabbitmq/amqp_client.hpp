// A small blocking AMQP client on rabbitmq-c for the tests: the
// independent party that publishes into queues sluice consumes, reads what
// sluice published, and inspects queues. Not thread-safe (one per thread).
#pragma once

#include <amqp.h>

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sluice::test::rabbitmq {

struct AmqpMessage {
  std::string body;
  std::string routing_key;
  std::string exchange;
  std::string correlation_id;
  std::string reply_to;
  int priority = -1;
  int delivery_mode = 0;
  bool redelivered = false;
  std::map<std::string, std::string> headers;  // string-valued table entries
};

struct Publish {
  Publish(std::string exchange_, std::string routing_key_, std::string body_,
          std::string reply_to_ = "", std::string correlation_id_ = "", int priority_ = -1,
          std::map<std::string, std::string> headers_ = {})
      : exchange(std::move(exchange_)),
        routing_key(std::move(routing_key_)),
        body(std::move(body_)),
        reply_to(std::move(reply_to_)),
        correlation_id(std::move(correlation_id_)),
        priority(priority_),
        headers(std::move(headers_)) {}
  std::string exchange;
  std::string routing_key;
  std::string body;
  std::string reply_to;
  std::string correlation_id;
  int priority = -1;
  std::map<std::string, std::string> headers;
};

struct QueueCounts {
  uint32_t messages = 0;  // ready
  uint32_t consumers = 0;
};

class AmqpClient {
 public:
  // Connects and opens channel 1; throws std::runtime_error on failure.
  explicit AmqpClient(const std::string& url);
  ~AmqpClient();
  AmqpClient(const AmqpClient&) = delete;
  AmqpClient& operator=(const AmqpClient&) = delete;

  // queue.declare (not passive) with `arguments_json` (a JSON object).
  void declare_queue(const std::string& name, const std::string& arguments_json = "{}",
                     bool durable = true, bool exclusive = false);
  // A server-named exclusive queue; returns its name.
  std::string declare_private_queue();
  void delete_queue(const std::string& name);
  void delete_exchange(const std::string& name);
  void bind(const std::string& queue, const std::string& exchange, const std::string& key);
  // Passive declare in a throwaway channel: counts, or nullopt if missing.
  std::optional<QueueCounts> queue_counts(const std::string& name);
  bool exchange_exists(const std::string& name);

  // Publishes with publisher confirms (waits for the broker's ack).
  void publish(const Publish& p);
  // Publishes many with confirms pipelined.
  void publish_many(const std::vector<Publish>& ps);

  // basic.get with auto-ack; nullopt when the queue is empty.
  std::optional<AmqpMessage> get(const std::string& queue);
  // Starts consuming `queue` (auto-ack) and returns the next messages.
  void consume(const std::string& queue);
  std::optional<AmqpMessage> next(std::chrono::milliseconds timeout);

 private:
  void check(const char* what);
  amqp_channel_t scratch_channel();
  amqp_connection_state_t conn_ = nullptr;
  amqp_channel_t next_channel_ = 10;
  bool confirming_ = false;
  uint64_t next_seq_ = 0;           // publishes on channel 1 since confirm.select
  std::set<uint64_t> outstanding_;  // their sequence numbers not confirmed yet
};

// `rabbitmqctl <args>` against the test broker (scripts/brokers.sh's
// node, cookie and epmd port). Returns the exit status; output in *output.
int rabbitmqctl(const std::vector<std::string>& args, std::string* output = nullptr);

}  // namespace sluice::test::rabbitmq
