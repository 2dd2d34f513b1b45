// The `http` plugin: one connector is a webhook server (a source whose
// callers learn from the response whether sluice took their message), an
// HTTP client (a sink and a way to make requests), or a poller (a source
// that GETs a URL on an interval), as its `mode` says.
#include <memory>
#include <sluice/plugin.hpp>

#include "http_client.hpp"
#include "http_settings.hpp"
#include "poller.hpp"
#include "webhook_server.hpp"

namespace sluice::http_plugin {
namespace {

HttpOptions checked_options(const HttpSettings& settings) {
  std::vector<std::string> errors;
  HttpOptions options = read_options(settings, errors);
  if (!errors.empty()) throw ConfigError(SettingsSpec::join(errors));
  return options;
}

}  // namespace

class HttpPlugin final : public Plugin {
 public:
  // Subjects come from URL paths: any syntax.
  static constexpr uint32_t subject_syntax = SLUICE_SUBJECT_SYNTAX_ANY;

  // What the table cannot check (paths, listen address, auth, URLs), for
  // `sluice check` as well.
  static void validate(const HttpSettings& settings, std::vector<std::string>& errors) {
    read_options(settings, errors);
  }

  HttpPlugin(Host host, const HttpSettings& settings)
      : Plugin(std::move(host)), options_(checked_options(settings)) {
    const Host& h = this->host();
    switch (options_.mode) {
      case Mode::kServer:
        server_ = std::make_unique<WebhookServer>(
            options_.server, h,
            ServerMetrics{h.counter("requests_total", "HTTP requests answered"),
                          h.counter("messages_received_total", "Messages emitted from requests"),
                          h.counter("refused_total", "Requests refused with 4xx"),
                          h.counter("busy_total", "Requests answered 503 (pushback, capacity)"),
                          h.counter("failed_total", "Requests answered 500 or 504"),
                          h.gauge("connections", "Open connections")});
        break;
      case Mode::kClient:
      case Mode::kPoll:
        client_ = std::make_unique<HttpClient>(
            options_.client, h,
            ClientMetrics{h.counter("client_requests_total", "HTTP requests sent (attempts)"),
                          h.counter("client_retries_total", "Attempts after the first"),
                          h.counter("client_failed_total", "Messages that failed for good"),
                          h.gauge("client_in_flight", "Messages being sent")});
        if (options_.mode == Mode::kPoll)
          poller_ = std::make_unique<Poller>(
              options_.poll, options_.client, *client_, h,
              PollMetrics{h.counter("polls_total", "GETs made"),
                          h.counter("polls_unchanged_total", "GETs answered 304 Not Modified"),
                          h.counter("messages_polled_total", "Messages emitted from polls"),
                          h.counter("poll_errors_total", "GETs that failed")});
        break;
    }
  }

  ~HttpPlugin() override {
    // The poller runs on the client's threads: stop both before either dies.
    if (poller_) poller_->stop();
    if (client_) client_->stop();
    client_.reset();
    poller_.reset();
    server_.reset();
  }

  Status start(std::string& error) override {
    if (server_) return server_->start(error) ? Status::kOk : Status::kError;
    if (!client_->start(error)) return Status::kError;
    if (poller_) poller_->start();
    return Status::kOk;
  }

  void stop() override {
    if (server_) server_->stop();
    if (poller_) poller_->stop();
  }

  Status publish(const MessageView& message, Completion& completion, std::string& error) override {
    if (!client_ || poller_) {
      error = "this http connector receives (mode server or poll); send with a `mode: client` one";
      return Status::kRejected;
    }
    return client_->publish(message, completion, error);
  }

  Status request(const MessageView& message, uint32_t timeout_ms, Completion& completion,
                 std::string& error) override {
    if (!client_ || poller_) {
      error = "this http connector receives; make requests with a `mode: client` one";
      return Status::kRejected;
    }
    return client_->request(message, timeout_ms, completion, error);
  }

  Status reply(std::string_view reply_to, const MessageView& message, Completion& completion,
               std::string& error) override {
    if (!server_) {
      error = "only a `mode: server` http connector answers requests";
      return Status::kRejected;
    }
    if (!server_->reply(reply_to, message)) {
      error = "the HTTP request was already answered (timed out or failed)";
      return Status::kRejected;
    }
    completion.ok();
    return Status::kOk;
  }

  void ack(uint64_t ack_id, Outcome outcome) override {
    if (server_) server_->ack(ack_id, outcome);
    if (poller_) poller_->ack(outcome);
  }

  Status flush(uint32_t timeout_ms) override {
    return client_ && !poller_ ? client_->flush(timeout_ms) : Status::kOk;
  }

  Health health() override {
    if (server_ && !server_->listening()) return {false, "not listening"};
    return {};
  }

 private:
  HttpOptions options_;
  std::unique_ptr<HttpClient> client_;
  std::unique_ptr<Poller> poller_;
  std::unique_ptr<WebhookServer> server_;
};

}  // namespace sluice::http_plugin

using sluice::http_plugin::HttpPlugin;
SLUICE_PLUGIN(HttpPlugin, "http", "1.0.0",
              "Webhooks in (acknowledged by the response), HTTP requests out, URL polling",
              SLUICE_CAP_SOURCE | SLUICE_CAP_SINK | SLUICE_CAP_REQUEST,
              sluice::http_plugin::http_settings)
