// Runs `sluice run` with a stdin source routed to a websocket sink on a free
// port, so a test controls exactly which events flow and when.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "support/sluice_test.hpp"
#include "ws_test_client.hpp"

namespace sluice::websocket::testing {

// A vehicle-tracking style event.
std::string tracking_event(const std::string& device, int n, const std::string& tenant = "acme",
                           const std::string& kind = "tracking", const std::string& site = "s1");

class SluiceWs {
 public:
  // `sink_settings` are extra YAML lines (indented by 4) for the websocket
  // connector; index, query_params and listen are set already.
  // `top_settings` are extra top-level lines (e.g. shutdown_timeout_ms).
  enum Transport { kPlain, kTls };
  explicit SluiceWs(const std::string& sink_settings = "", Transport transport = kPlain,
                    const std::string& top_settings = "");
  ~SluiceWs();

  uint16_t port() const { return port_; }
  // One event per line into the stdin source.
  void feed(const std::string& line);
  // Connects a client and, when the handshake succeeded, waits until the
  // server lists it: the server registers a client and its URL subscription
  // just after the handshake, so without the wait an event fed next could
  // pass before the client is subscribed.
  std::unique_ptr<WsTestClient> connect(const std::string& target = "/api/v1/stream",
                                        WsClientOptions options = {});
  test::HttpResponse get(const std::string& target);
  // The clients listing (`clients_endpoint: true` is set).
  std::string clients_json();
  // Number of clients in the listing (-1 if it cannot be read).
  int client_count();
  std::string log() const { return process_->output(); }
  pid_t pid() const { return process_->pid(); }
  bool running() { return process_->running(); }
  // For tests of shutdown: signal it and wait for its exit status.
  test::SluiceProcess& process() { return *process_; }

 private:
  test::TempDir dir_;
  uint16_t port_;
  std::unique_ptr<test::SluiceProcess> process_;
};

// Open file descriptors and resident memory (kB) of a process, from /proc.
size_t open_fds(pid_t pid);
size_t rss_kb(pid_t pid);

}  // namespace sluice::websocket::testing
