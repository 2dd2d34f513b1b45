// The client side: a sink that POSTs (or PUTs) each message to a URL
// template, retrying 429/5xx and network errors with backoff that honours
// Retry-After, and failing other 4xx for good so the host dead-letters them;
// also `sluice.request("<connector>:...")`, whose reply is the response.
// Connections are kept alive in a pool bounded by `max_connections`, which
// also bounds the requests in flight (beyond it publish answers BUSY and the
// host waits). Every message is delivered by a coroutine on the client's
// threads.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <sluice/plugin.hpp>
#include <string>
#include <thread>
#include <vector>

#include "beast_types.hpp"
#include "client_connection.hpp"
#include "http_settings.hpp"
#include "message_template.hpp"
#include "url.hpp"

namespace sluice::http_plugin {

struct ClientMetrics {
  Metric requests;   // HTTP exchanges (attempts)
  Metric retries;    // attempts after the first
  Metric failed;     // messages failed (rejected or out of attempts)
  Metric in_flight;  // gauge
};

class HttpClient {
 public:
  HttpClient(const ClientOptions& options, const Host& host, ClientMetrics metrics);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  bool start(std::string& error);
  // No new attempts after this; messages waiting for a retry fail.
  void stop();

  Status publish(const MessageView& message, Completion& completion, std::string& error);
  Status request(const MessageView& message, uint32_t timeout_ms, Completion& completion,
                 std::string& error);
  Status flush(uint32_t timeout_ms);

  // One attempt (the bytes of serialize_request(), which must outlive it),
  // on a pooled or new connection (for the poller too).
  net::awaitable<Exchange> exchange(const Url& url, const std::string& request,
                                    std::chrono::milliseconds timeout);
  net::io_context& io() { return ioc_; }
  bool stopping() const { return stopping_.load(); }

 private:
  using Connection = ClientConnection;
  // One of the `max_connections` places, taken by submit(). It is given
  // back just before the job completes: the host may publish again on that
  // news, and a BUSY then would make it sleep. flush() waits for the job
  // until after it completed.
  struct InFlightSlot {
    HttpClient* client;
    bool held = true;
    void release();
    ~InFlightSlot();
  };
  struct Job {
    explicit Job(HttpClient* client) : slot{client} {}
    InFlightSlot slot;
    Url url;
    std::string request;  // serialized once, sent as is by every attempt
    Completion completion;
    bool is_request = false;
    std::chrono::milliseconds timeout{0};

    void ok() {
      slot.release();
      completion.ok();
    }
    void reply(const OutMessage& reply) {
      slot.release();
      completion.reply(reply);
    }
    void fail(Status status, std::string_view error) {
      slot.release();
      completion.fail(status, error);
    }
  };

  Status submit(const MessageView& message, Completion& completion, bool is_request,
                uint32_t timeout_ms, std::string& error);
  // All attempts of a job.
  net::awaitable<void> deliver(std::unique_ptr<Job> job);
  net::awaitable<std::unique_ptr<Connection>> connect(const Url& url,
                                                      std::chrono::milliseconds timeout,
                                                      beast::error_code& ec);
  // Idle connections to one server (a URL template may name several).
  struct IdlePool {
    bool tls = false;
    std::string host;
    uint16_t port = 0;
    std::vector<std::unique_ptr<Connection>> connections;
  };
  IdlePool* pool_of(const Url& url);  // under mutex_
  std::unique_ptr<Connection> take_idle(const Url& url);
  void put_idle(const Url& url, std::unique_ptr<Connection> connection);
  double draw();

  const ClientOptions& options_;
  Host host_;
  ClientMetrics metrics_;
  MessageTemplate url_;
  std::vector<std::pair<std::string, MessageTemplate>> headers_;
  std::optional<ssl::context> tls_;
  std::atomic<size_t> in_flight_{0};   // places taken (BUSY beyond max_connections)
  std::atomic<size_t> unfinished_{0};  // jobs not yet completed (for flush)
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;  // idle_ and rng_
  std::vector<IdlePool> idle_;
  size_t idle_count_ = 0;
  std::mt19937 rng_{std::random_device{}()};
  std::vector<std::thread> threads_;
  // Declared last: pending coroutines (and their completions) die with it
  // first, while everything they use still exists.
  net::io_context ioc_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
};

}  // namespace sluice::http_plugin
