// The polling source: GETs a URL every `interval_ms` and emits the body, or
// each element of the JSON array at `array_path`. It sends the validators
// of the last response (If-None-Match, If-Modified-Since), so a server that
// answers 304 Not Modified makes it emit nothing. A message the host could
// not take or deliver (BUSY, NACK) drops the validators: the next poll
// emits the document again, so nothing is lost to a conditional GET.
#pragma once

#include <atomic>
#include <sluice/plugin.hpp>
#include <string>

#include "beast_types.hpp"
#include "emit_gate.hpp"
#include "http_client.hpp"
#include "http_settings.hpp"

namespace sluice::http_plugin {

struct PollMetrics {
  Metric polls;      // GETs made
  Metric unchanged;  // 304 answers
  Metric messages;   // messages emitted
  Metric errors;     // failed GETs
};

class Poller {
 public:
  Poller(const PollOptions& options, const ClientOptions& client_options, HttpClient& client,
         const Host& host, PollMetrics metrics);

  void start();
  void stop() {
    stopping_.store(true);
    gate_.close();
  }
  void ack(Outcome outcome);

 private:
  net::awaitable<void> run();
  net::awaitable<void> poll_once();

  const PollOptions& options_;
  const ClientOptions& client_options_;
  HttpClient& client_;
  Host host_;
  PollMetrics metrics_;
  std::atomic<bool> stopping_{false};
  EmitGate gate_;
  std::atomic<bool> forget_validators_{false};
  std::string etag_;  // only touched by the poll coroutine
  std::string last_modified_;
  uint64_t next_ack_id_ = 1;
};

}  // namespace sluice::http_plugin
