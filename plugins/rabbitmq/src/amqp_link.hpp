// One rabbitmq-c connection with its channels, opened and set up in one
// go: TCP or TLS, login with client properties (connection name,
// connection.blocked capability), the channels sluice uses, the topology
// from the config, basic.qos and the consumers. Used only by the I/O
// thread that owns it (rabbitmq-c connections are not thread-safe).
#pragma once

#include <amqp.h>

#include <string>

#include "amqp_url.hpp"
#include "rabbitmq_settings.hpp"

namespace sluice::rabbitmq {

// The channels of one connection.
inline constexpr amqp_channel_t kConsumeChannel = 1;  // topology, qos, consumers
inline constexpr amqp_channel_t kPublishChannel = 2;  // publishes (confirm mode)
inline constexpr amqp_channel_t kRequestChannel = 3;  // requests (direct reply-to), replies

inline constexpr const char* kDirectReplyTo = "amq.rabbitmq.reply-to";

class AmqpLink {
 public:
  AmqpLink() = default;
  ~AmqpLink() { close(); }
  AmqpLink(const AmqpLink&) = delete;
  AmqpLink& operator=(const AmqpLink&) = delete;

  // Connects to `endpoint` and sets everything up; false with the reason
  // (the server's text and the setting to fix) in `error`.
  bool open(const AmqpEndpoint& endpoint, const RabbitSettings& settings, std::string& error);
  // Closes politely (connection.close) if open; then frees everything.
  void close();
  // Frees without talking to the server (after a socket error).
  void abandon();

  bool is_open() const { return conn_ != nullptr; }
  amqp_connection_state_t get() const { return conn_; }
  int fd() const { return conn_ ? amqp_get_sockfd(conn_) : -1; }

 private:
  bool declare_topology(const RabbitSettings& s, std::string& error);
  bool start_consumers(const RabbitSettings& s, std::string& error);
  // The outcome of the last synchronous call, as text ("" when it worked).
  std::string rpc_problem(const char* what);

  amqp_connection_state_t conn_ = nullptr;
};

// Text for a channel.close / connection.close reply (code and server text).
std::string close_reason(uint16_t code, amqp_bytes_t text);

}  // namespace sluice::rabbitmq
