// The RabbitMQ connector (see rabbitmq_plugin.hpp) and its entry point.
#include "rabbitmq_plugin.hpp"

#include <thread>

namespace sluice::rabbitmq {

RabbitPlugin::RabbitPlugin(Host host, const RabbitSettings& settings)
    : Plugin(std::move(host)),
      settings_(settings.resolved(this->host().node_id())),
      metrics_(this->host()) {
  loop_ = std::make_unique<IoLoop>(this->host(), settings_, metrics_);
}

RabbitPlugin::~RabbitPlugin() {
  stop();
  loop_->shutdown(std::chrono::milliseconds(settings_.drain_timeout_ms));
}

Status RabbitPlugin::subscribe(std::string_view pattern, std::string& error) {
  (void)pattern;
  (void)error;
  ++patterns_;  // the host matches routing keys against route patterns itself
  return Status::kOk;
}

Status RabbitPlugin::start(std::string& error) {
  (void)error;
  if (patterns_ > 0 && settings_.consume.empty())
    host().log(LogLevel::kWarn,
               "routes read from this connector, but 'consume' names no queue: nothing arrives");
  loop_->start();
  started_ = true;
  return Status::kOk;
}

void RabbitPlugin::stop() {
  if (stopped_) return;
  stopped_ = true;
  loop_->stop_consuming();
}

Status RabbitPlugin::enqueue(IoLoop::Outgoing&& out, const MessageView& message, int64_t timeout_ms,
                             Completion& completion, std::string& error) {
  // The host may route here before starting this connector: busy makes it wait.
  if (!started_) return Status::kBusy;
  out.body.assign(message.payload());
  if (out.kind != IoLoop::Outgoing::Kind::kReply) {
    OutgoingDefaults defaults{settings_.persistent, settings_.node_id_header,
                              std::string(host().node_id())};
    out.properties = OutgoingProperties(copy_headers(message), defaults);
    if (!out.properties.problem().empty()) {
      error = out.properties.problem();
      return Status::kRejected;
    }
  }
  out.deadline = IoLoop::Clock::now() + std::chrono::milliseconds(timeout_ms);
  out.completion = std::move(completion);
  Status s = loop_->send(std::move(out), error);
  // send() moved nothing on refusal only if it returned before pushing.
  if (s != Status::kOk) completion = std::move(out.completion);
  return s;
}

Status RabbitPlugin::publish(const MessageView& message, Completion& completion,
                             std::string& error) {
  IoLoop::Outgoing out;
  out.exchange = settings_.exchange;
  out.routing_key =
      message.subject().empty() ? settings_.routing_key : std::string(message.subject());
  if (out.routing_key.empty() && out.exchange.empty()) {
    error = "the message has no subject (routing key) and the connector has no 'routing_key'";
    return Status::kRejected;
  }
  out.mandatory = settings_.mandatory;
  return enqueue(std::move(out), message, settings_.publish_timeout_ms, completion, error);
}

Status RabbitPlugin::request(const MessageView& message, uint32_t timeout_ms,
                             Completion& completion, std::string& error) {
  IoLoop::Outgoing out;
  out.kind = IoLoop::Outgoing::Kind::kRequest;
  std::string_view subject = message.subject();
  // "exchange/routing.key" names the exchange; a bare key uses `exchange`.
  if (size_t slash = subject.find('/'); slash != std::string_view::npos) {
    out.exchange.assign(subject.substr(0, slash));
    out.routing_key.assign(subject.substr(slash + 1));
  } else {
    out.exchange = settings_.exchange;
    out.routing_key.assign(subject.empty() ? std::string_view(settings_.routing_key) : subject);
  }
  if (out.routing_key.empty() && out.exchange.empty()) {
    error = "the request has no subject (routing key) and the connector has no 'routing_key'";
    return Status::kRejected;
  }
  int64_t timeout = timeout_ms > 0 ? timeout_ms : settings_.request_timeout_ms;
  return enqueue(std::move(out), message, timeout, completion, error);
}

Status RabbitPlugin::reply(std::string_view reply_to, const MessageView& message,
                           Completion& completion, std::string& error) {
  std::string queue, correlation;
  split_reply_handle(reply_to, queue, correlation);
  if (queue.empty()) {
    error = "the request has no reply_to";
    return Status::kRejected;
  }
  IoLoop::Outgoing out;
  out.kind = IoLoop::Outgoing::Kind::kReply;
  out.routing_key = queue;  // default exchange: straight to the reply queue
  HeaderList headers = copy_headers(message);
  std::erase_if(headers, [](const auto& h) {
    return h.first == "correlation_id" || h.first == "reply_to" || h.first == "redelivered";
  });
  // Replies are transient: nobody waits for them past a restart.
  OutgoingDefaults defaults{false, settings_.node_id_header, std::string(host().node_id())};
  out.properties = OutgoingProperties(headers, defaults);
  if (!correlation.empty()) out.properties.set_correlation_id(correlation);
  return enqueue(std::move(out), message, settings_.publish_timeout_ms, completion, error);
}

void RabbitPlugin::ack(uint64_t ack_id, Outcome outcome) {
  if (ack_id != 0) loop_->ack(ack_id, outcome);  // 0: ack_mode auto, acked on receipt
}

Status RabbitPlugin::flush(uint32_t timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (loop_->pending() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) return Status::kTimeout;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return Status::kOk;
}

Health RabbitPlugin::health() { return loop_->health(); }

}  // namespace sluice::rabbitmq

using sluice::rabbitmq::RabbitPlugin;
SLUICE_PLUGIN(RabbitPlugin, "rabbitmq", "0.1.0",
              "RabbitMQ (AMQP 0-9-1): topology from config, manual acks, publisher confirms, "
              "dead-lettering, request/reply, reconnect",
              SLUICE_CAP_SOURCE | SLUICE_CAP_SINK | SLUICE_CAP_REQUEST,
              sluice::rabbitmq::settings_spec)
