// The Redis connector (see redis_plugin.hpp) and its entry point.
#include "redis_plugin.hpp"

#include <chrono>
#include <thread>

#include "kv_command.hpp"
#include "sink_command.hpp"

namespace sluice::redis {

RedisPlugin::RedisPlugin(Host host, const RedisSettings& settings)
    : Plugin(std::move(host)),
      settings_(settings.resolved(this->host().node_id())),
      metrics_(this->host()) {
  loop_ = std::make_unique<IoLoop>(this->host(), settings_, metrics_);
}

RedisPlugin::~RedisPlugin() {
  stop();
  loop_->shutdown(std::chrono::milliseconds(settings_.drain_timeout_ms));
}

Status RedisPlugin::subscribe(std::string_view pattern, std::string& error) {
  (void)pattern;
  (void)error;
  ++patterns_;  // the host matches channel/stream/list names against route patterns itself
  return Status::kOk;
}

Status RedisPlugin::start(std::string& error) {
  (void)error;
  if (patterns_ > 0 && settings_.channels.empty() && settings_.patterns.empty() &&
      settings_.streams.empty() && settings_.lists.empty())
    host().log(LogLevel::kWarn,
               "routes read from this connector, but it has no 'channels', 'patterns', "
               "'streams' or 'lists': nothing arrives");
  loop_->start();
  started_ = true;
  return Status::kOk;
}

void RedisPlugin::stop() {
  if (stopped_) return;
  stopped_ = true;
  loop_->stop_consuming();
}

Status RedisPlugin::publish(const MessageView& message, Completion& completion,
                            std::string& error) {
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  IoLoop::Outgoing out;
  out.args = sink_command(settings_, message, now_ms, error);
  if (out.args.empty()) return Status::kRejected;
  return enqueue(std::move(out), settings_.command_timeout_ms, completion, error);
}

Status RedisPlugin::enqueue(IoLoop::Outgoing&& out, int64_t timeout_ms, Completion& completion,
                            std::string& error) {
  if (!started_) return Status::kBusy;  // routed to before start: the host waits
  out.deadline = IoLoop::Clock::now() + std::chrono::milliseconds(timeout_ms);
  out.completion = std::move(completion);
  Status s = loop_->send(std::move(out), error);
  if (s != Status::kOk) completion = std::move(out.completion);
  return s;
}

namespace {

FieldList headers_of(const MessageView& message) {
  FieldList headers;
  for (size_t i = 0; i < message.header_count(); ++i)
    headers.emplace_back(message.header_name(i), message.header_value(i));
  return headers;
}

}  // namespace

Status RedisPlugin::request(const MessageView& message, uint32_t timeout_ms, Completion& completion,
                            std::string& error) {
  IoLoop::Outgoing out;
  if (message.subject() == kKvSubject) {  // sluice.kv: one command, its answer is the reply
    out.kind = IoLoop::Outgoing::Kind::kKv;
    out.args = kv_command(message.payload(), error);
    if (out.args.empty()) return Status::kRejected;
    int64_t timeout = timeout_ms > 0 ? timeout_ms : settings_.command_timeout_ms;
    return enqueue(std::move(out), timeout, completion, error);
  }
  out.kind = IoLoop::Outgoing::Kind::kRequest;
  out.channel.assign(message.subject().empty() ? std::string_view(settings_.target)
                                               : message.subject());
  if (out.channel.empty()) {
    error = "the request has no subject (channel) and the connector has no 'target'";
    return Status::kRejected;
  }
  out.request.payload.assign(message.payload());
  out.request.headers = headers_of(message);
  int64_t timeout = timeout_ms > 0 ? timeout_ms : settings_.request_timeout_ms;
  return enqueue(std::move(out), timeout, completion, error);
}

Status RedisPlugin::reply(std::string_view reply_to, const MessageView& message,
                          Completion& completion, std::string& error) {
  size_t nl = reply_to.find('\n');
  if (nl == std::string_view::npos || nl == 0) {
    error = "the request has no reply channel";
    return Status::kRejected;
  }
  Envelope envelope;
  envelope.id.assign(reply_to.substr(nl + 1));
  envelope.payload.assign(message.payload());
  envelope.headers = headers_of(message);
  IoLoop::Outgoing out;
  out.args = {"PUBLISH", std::string(reply_to.substr(0, nl)), make_envelope(envelope)};
  return enqueue(std::move(out), settings_.command_timeout_ms, completion, error);
}

void RedisPlugin::ack(uint64_t ack_id, Outcome outcome) {
  if (ack_id != 0) loop_->ack(ack_id, outcome);  // 0: pub/sub or at-most-once list
}

Status RedisPlugin::flush(uint32_t timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (loop_->pending() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) return Status::kTimeout;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return Status::kOk;
}

Health RedisPlugin::health() { return loop_->health(); }

}  // namespace sluice::redis

using sluice::redis::RedisPlugin;
SLUICE_PLUGIN(RedisPlugin, "redis", "0.1.0",
              "Redis: pub/sub, streams in consumer groups (XACK on ack, claim of idle entries, "
              "dead-letter stream), lists as reliable queues, PUBLISH/XADD/LPUSH/SET/HSET sink, "
              "request/reply, reconnect",
              SLUICE_CAP_SOURCE | SLUICE_CAP_SINK | SLUICE_CAP_REQUEST,
              sluice::redis::settings_spec)
