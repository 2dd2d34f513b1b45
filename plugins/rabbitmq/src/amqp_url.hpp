// AMQP URLs (`amqp://user:pass@host:port/vhost`, `amqps://...`) parsed with
// rabbitmq-c's amqp_parse_url, and redacted for logs and health.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::rabbitmq {

struct AmqpEndpoint {
  std::string user = "guest";
  std::string password = "guest";
  std::string host = "localhost";
  int port = 5672;
  std::string vhost = "/";
  bool tls = false;
};

// Fills `out` from `url`; returns why it is not a usable AMQP URL, or
// nullopt. An empty path is the vhost "/" (RabbitMQ's default).
std::optional<std::string> parse_amqp_url(std::string_view url, AmqpEndpoint& out);

// `url` with any password replaced by "***", for logs and health.
std::string redact_url(std::string_view url);

}  // namespace sluice::rabbitmq
