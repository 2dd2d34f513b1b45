// A small cnats client for the NATS integration tests: publish, request,
// collect what a subscription receives, and a private nats-server that a
// test may stop and restart (the shared one must never be touched).
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "support/sluice_test.hpp"

namespace sluice::test::nats {

struct Received {
  std::string subject;
  std::string payload;
  std::string reply;
  std::map<std::string, std::string> headers;
};

// Everything one subscription received, in order. Thread-safe.
class Collector {
 public:
  size_t count() const;
  std::vector<Received> snapshot() const;
  // Waits until at least `n` messages arrived.
  bool wait_for(size_t n, std::chrono::milliseconds timeout) const;

 private:
  friend class Client;
  static void on_message(natsConnection* nc, natsSubscription* sub, natsMsg* msg, void* self);
  mutable std::mutex mutex_;
  std::vector<Received> messages_;
  natsSubscription* sub_ = nullptr;
};

class Client {
 public:
  // Connects (throws std::runtime_error naming the URL on failure).
  explicit Client(const std::string& url, bool reconnect = false);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  void publish(const std::string& subject, const std::string& payload,
               const std::map<std::string, std::string>& headers = {});
  void flush();
  // The reply's payload, or nullopt on timeout / no responders.
  std::optional<Received> request(const std::string& subject, const std::string& payload,
                                  std::chrono::milliseconds timeout);
  // Subscribes (queue group optional) and flushes, so the server has it.
  std::shared_ptr<Collector> subscribe(const std::string& subject, const std::string& queue = "");
  natsConnection* get() const { return nc_; }

 private:
  natsConnection* nc_ = nullptr;
  std::vector<std::shared_ptr<Collector>> collectors_;
};

Received to_received(natsMsg* msg);

// A subject prefix unique to this test run: tests on the shared server must
// not see each other's messages.
std::string unique_prefix(const std::string& name);

// A private nats-server (with JetStream) on a free loopback port.
class PrivateServer {
 public:
  // `extra_args` go to nats-server (e.g. --user/--pass, --tls ...).
  explicit PrivateServer(std::vector<std::string> extra_args = {});
  ~PrivateServer();
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  uint16_t port() const { return port_; }
  void start();
  void stop();
  bool running() const { return process_ != nullptr; }

 private:
  uint16_t port_;
  std::vector<std::string> extra_args_;
  TempDir dir_;
  std::unique_ptr<Process> process_;
};

}  // namespace sluice::test::nats
