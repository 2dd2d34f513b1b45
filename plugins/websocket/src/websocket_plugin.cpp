// The `websocket` sink plugin: fans routed events out to WebSocket clients
// (browsers and services) with subscription filters, auth scopes and
// per-client throttles. Delivery is lossy by nature: a message completes as
// soon as it is queued to every matching client.
#include <memory>
#include <sluice/plugin.hpp>

#include "auth.hpp"
#include "hub.hpp"
#include "server.hpp"
#include "websocket_settings.hpp"

namespace sluice::websocket {
namespace {

PluginOptions checked_options(const WebSocketSettings& settings) {
  std::vector<std::string> errors;
  PluginOptions options = read_options(settings, errors);
  if (!errors.empty()) throw ConfigError(SettingsSpec::join(errors));
  return options;
}

std::set<std::string> index_names(const HubOptions& hub) {
  std::set<std::string> names;
  for (const auto& f : hub.index) names.insert(f.name);
  return names;
}

int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

class WebSocketPlugin final : public Plugin {
 public:
  // Clients choose the subjects they publish to: any syntax.
  static constexpr uint32_t subject_syntax = SLUICE_SUBJECT_SYNTAX_ANY;

  WebSocketPlugin(Host host, const WebSocketSettings& settings)
      : Plugin(std::move(host)),
        options_(checked_options(settings)),
        hub_(options_.hub, SystemClock::instance()),
        auth_(options_.auth, index_names(options_.hub), SystemClock::instance()) {
    metrics_.published = this->host().counter("messages_total", "Messages the sink received");
    metrics_.delivered = this->host().counter("delivered_total", "Event frames written to clients");
    metrics_.dropped =
        this->host().counter("dropped_total", "Frames lost to full client send queues");
    metrics_.throttled =
        this->host().counter("throttled_total", "Frames coalesced or dropped by throttles");
    metrics_.connections =
        this->host().counter("connections_total", "WebSocket connections accepted");
    metrics_.rejected = this->host().counter(
        "rejected_total", "Upgrades refused (auth, origin, capacity, bad query)");
    metrics_.protocol_errors =
        this->host().counter("protocol_errors_total", "Error answers sent to clients");
    metrics_.clients = this->host().gauge("clients", "Connected clients");
    metrics_.subscriptions = this->host().gauge("subscriptions", "Active subscriptions");
    metrics_.stalled = this->host().gauge(
        "stalled_clients", "Clients whose send queue is full and whose socket takes nothing");
    metrics_.fanout_us = this->host().gauge("fanout_avg_microseconds",
                                            "Average time to fan one message out (last interval)");
  }

  ~WebSocketPlugin() override {
    if (metrics_timer_) host().timer_cancel(metrics_timer_);
    if (server_) server_->stop();
  }

  // Checks what the settings table cannot (paths, index, auth...).
  static void validate(const WebSocketSettings& settings, std::vector<std::string>& errors) {
    read_options(settings, errors);
  }

  Status start(std::string& error) override {
    server_ = std::make_unique<Server>(
        options_.server, hub_, auth_,
        [this](LogLevel level, const std::string& text) { host().log(level, text); });
    if (!server_->start(error)) {
      server_.reset();
      return Status::kError;
    }
    const auto& s = options_.server;
    std::string scheme = s.tls_cert.empty() ? "" : "s";
    std::string base = s.host + ":" + std::to_string(server_->port());
    host().logf(LogLevel::kInfo, "listening on ws%s://%s%s%s", scheme.c_str(), base.c_str(),
                s.paths.front().c_str(),
                s.viewer ? (" - live viewer at http" + scheme + "://" + base + "/").c_str() : "");
    metrics_timer_ = host().timer_start(1000, 1000, [this] { update_metrics(); });
    return Status::kOk;
  }

  // A sink keeps serving after stop(): messages still draining through the
  // routes reach the clients until the host destroys the connector.
  void stop() override {}

  Status publish(const MessageView& message, Completion& completion,
                 std::string& /*error*/) override {
    Event event;
    event.payload = message.payload();
    event.subject = message.subject();
    if (message.has_key()) event.key = message.key();
    event.timestamp_ms = message.timestamp_ms() ? message.timestamp_ms() : now_unix_ms();
    hub_.publish(event);
    // Browsers are a lossy sink: queued to every matching client is done.
    completion.ok();
    return Status::kOk;
  }

  Health health() override {
    if (!server_ || !server_->listening()) return {false, "not listening"};
    return {true, std::to_string(hub_.client_count()) + " clients"};
  }

 private:
  void update_metrics() {
    HubTotals t = hub_.totals();
    const ServerCounters& c = server_->counters();
    auto add = [](const Metric& metric, uint64_t now, uint64_t& last) {
      if (now > last) metric.add(static_cast<double>(now - last));
      last = now;
    };
    add(metrics_.published, t.published, last_.published);
    add(metrics_.delivered, t.delivered, last_.delivered);
    add(metrics_.dropped, t.dropped, last_.dropped);
    add(metrics_.throttled, t.throttled, last_.throttled);
    add(metrics_.connections, c.connections.load(), last_.connections);
    add(metrics_.rejected, c.rejected.load(), last_.rejected);
    add(metrics_.protocol_errors, c.protocol_errors.load(), last_.protocol_errors);
    metrics_.clients.set(static_cast<double>(t.clients));
    metrics_.subscriptions.set(static_cast<double>(t.subscriptions));
    metrics_.stalled.set(static_cast<double>(t.stalled));
    uint64_t count = t.fanout_count - last_.fanout_count;
    uint64_t ns = t.fanout_ns - last_.fanout_ns;
    metrics_.fanout_us.set(count ? static_cast<double>(ns) / 1000.0 / count : 0.0);
    last_.fanout_count = t.fanout_count;
    last_.fanout_ns = t.fanout_ns;
  }

  struct Metrics {
    Metric published, delivered, dropped, throttled, connections, rejected, protocol_errors;
    Metric clients, subscriptions, stalled, fanout_us;
  };
  struct Last {
    uint64_t published = 0, delivered = 0, dropped = 0, throttled = 0, connections = 0,
             rejected = 0, protocol_errors = 0, fanout_count = 0, fanout_ns = 0;
  };

  PluginOptions options_;
  Hub hub_;
  Authenticator auth_;
  Metrics metrics_;
  Last last_;
  uint64_t metrics_timer_ = 0;
  std::unique_ptr<Server> server_;  // last: stops before the hub goes
};

}  // namespace sluice::websocket

using sluice::websocket::WebSocketPlugin;
SLUICE_PLUGIN(WebSocketPlugin, "websocket", "0.1.0",
              "WebSocket fan-out to browsers and services: subscription filters, auth scopes, "
              "per-client throttling, live viewer",
              SLUICE_CAP_SINK, sluice::websocket::websocket_settings)
