#include "kafka_producer.hpp"

#include <chrono>
#include <mutex>

#include "rdkafka_handles.hpp"

namespace sluice::kafka {

KafkaProducer::KafkaProducer(const Host& host, ConnectorHealth& health, KafkaMetrics& metrics,
                             std::string default_topic, std::string default_key)
    : ClientEvents(host, health, ConnectorHealth::Client::kProducer, metrics),
      default_topic_(std::move(default_topic)),
      default_key_(std::move(default_key)) {}

KafkaProducer::~KafkaProducer() { close(0); }

bool KafkaProducer::start(const Properties& properties, std::string& error) {
  ConfPtr conf = make_conf(properties, error);
  if (!conf) return false;
  install_callbacks(conf.get());
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &KafkaProducer::delivery_cb);
  char errstr[512] = {0};
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), errstr, sizeof errstr);
  if (!rk_) {
    error = std::string("cannot create the Kafka producer: ") + errstr;
    return false;
  }
  conf.release();  // owned by rk_ now
  poller_ = std::thread([this] { poll_loop(); });
  return true;
}

void KafkaProducer::poll_loop() {
  while (!quit_.load(std::memory_order_relaxed)) rd_kafka_poll(rk_, 100);
}

rd_kafka_topic_t* KafkaProducer::topic_handle(std::string_view topic) {
  {
    std::shared_lock lock(topics_mutex_);
    auto it = topics_.find(topic);
    if (it != topics_.end()) return it->second;
  }
  std::unique_lock lock(topics_mutex_);
  auto it = topics_.find(topic);
  if (it != topics_.end()) return it->second;
  std::string name(topic);
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk_, name.c_str(), nullptr);
  if (rkt) topics_.emplace(std::move(name), rkt);
  return rkt;
}

rd_kafka_resp_err_t KafkaProducer::send(const Record& r, Delivery* delivery) {
  rd_kafka_topic_t* rkt = topic_handle(r.topic);
  if (!rkt) return rd_kafka_last_error();
  HeadersPtr headers;
  if (!r.headers.empty()) {
    headers.reset(rd_kafka_headers_new(r.headers.size()));
    for (const auto& [name, value] : r.headers)
      rd_kafka_header_add(headers.get(), name.data(), static_cast<ssize_t>(name.size()),
                          value.data(), static_cast<ssize_t>(value.size()));
  }
  rd_kafka_vu_t vus[8];
  size_t n = 0;
  vus[n].vtype = RD_KAFKA_VTYPE_RKT;
  vus[n++].u.rkt = rkt;
  vus[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  vus[n++].u.i = RD_KAFKA_MSG_F_COPY;
  vus[n].vtype = RD_KAFKA_VTYPE_VALUE;
  vus[n].u.mem.ptr = const_cast<char*>(r.payload.data());
  vus[n++].u.mem.size = r.payload.size();
  if (r.key) {
    vus[n].vtype = RD_KAFKA_VTYPE_KEY;
    vus[n].u.mem.ptr = const_cast<char*>(r.key->data());
    vus[n++].u.mem.size = r.key->size();
  }
  if (headers) {
    vus[n].vtype = RD_KAFKA_VTYPE_HEADERS;
    vus[n++].u.headers = headers.get();
  }
  if (r.timestamp_ms > 0) {
    vus[n].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
    vus[n++].u.i64 = r.timestamp_ms;
  }
  vus[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
  vus[n++].u.ptr = delivery;
  ErrorPtr err(rd_kafka_produceva(rk_, vus, n));
  if (!err) {
    headers.release();  // librdkafka owns the headers once the message is queued
    return RD_KAFKA_RESP_ERR_NO_ERROR;
  }
  return rd_kafka_error_code(err.get());
}

Status KafkaProducer::publish(const MessageView& m, Completion& completion, std::string& error) {
  Record r;
  r.topic = m.subject().empty() ? std::string_view(default_topic_) : m.subject();
  if (r.topic.empty()) {
    error = "no topic: the route names none and 'default_topic' is not set";
    return Status::kRejected;
  }
  r.key = m.has_key() ? m.key() : std::string_view(default_key_);
  r.payload = m.payload();
  r.timestamp_ms = m.timestamp_ms();
  r.headers.reserve(m.header_count());
  for (size_t i = 0; i < m.header_count(); ++i)
    r.headers.emplace_back(m.header_name(i), m.header_value(i));

  auto* delivery = new Delivery{std::move(completion), {}};
  rd_kafka_resp_err_t err = send(r, delivery);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::kOk;
  completion = std::move(delivery->completion);  // refused: the caller keeps it
  delete delivery;
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) return Status::kBusy;
  error = std::string("cannot produce to '") + std::string(r.topic) + "': " + rd_kafka_err2str(err);
  return status_for(err);
}

Status KafkaProducer::produce(const Record& record, DeliveryCallback done, std::string& error) {
  auto* delivery = new Delivery{Completion(), std::move(done)};
  rd_kafka_resp_err_t err = send(record, delivery);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::kOk;
  delete delivery;
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) return Status::kBusy;
  error = std::string("cannot produce to '") + std::string(record.topic) +
          "': " + rd_kafka_err2str(err);
  return status_for(err);
}

Status KafkaProducer::status_for(rd_kafka_resp_err_t error) {
  switch (error) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      return Status::kOk;
    // The message itself can never be taken: retrying cannot help.
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
      return Status::kRejected;
    default:
      return Status::kError;
  }
}

void KafkaProducer::delivery_cb(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* self = static_cast<KafkaProducer*>(from_opaque(opaque));
  auto* delivery = static_cast<Delivery*>(message->_private);
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    self->health_.brokers_reachable(self->client_);
    self->metrics_.produced.add();
  } else {
    self->metrics_.produce_errors.add();
  }
  if (delivery->callback) {
    delivery->callback(message->err);
  } else if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    delivery->completion.ok();
  } else {
    delivery->completion.fail(
        status_for(message->err),
        std::string("Kafka did not take the message: ") + rd_kafka_err2str(message->err));
  }
  delete delivery;
}

void KafkaProducer::on_statistics(const StatisticsSummary& stats) {
  metrics_.producer_queue.set(static_cast<double>(stats.queue_messages));
  metrics_.producer_queue_bytes.set(static_cast<double>(stats.queue_bytes));
  metrics_.producer_rtt.set(stats.rtt_ms);
  metrics_.brokers_up.set(stats.brokers_up);
}

Status KafkaProducer::flush(uint32_t timeout_ms) {
  if (!rk_) return Status::kOk;
  return rd_kafka_flush(rk_, static_cast<int>(timeout_ms)) == RD_KAFKA_RESP_ERR_NO_ERROR
             ? Status::kOk
             : Status::kTimeout;
}

void KafkaProducer::close(uint32_t timeout_ms) {
  if (!rk_) return;
  quit_.store(true);
  if (poller_.joinable()) poller_.join();
  if (rd_kafka_flush(rk_, static_cast<int>(timeout_ms)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    host_.logf(LogLevel::kWarn, "producer: %d message(s) not delivered in %u ms; failing them",
               rd_kafka_outq_len(rk_), timeout_ms);
    rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    // Purged messages come back through delivery reports, which fail
    // their completions. Bounded: in-flight requests end within their
    // timeouts once purged.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (rd_kafka_outq_len(rk_) > 0 && std::chrono::steady_clock::now() < deadline)
      rd_kafka_poll(rk_, 50);
  }
  for (auto& [name, rkt] : topics_) rd_kafka_topic_destroy(rkt);
  topics_.clear();
  rd_kafka_destroy(rk_);
  rk_ = nullptr;
}

}  // namespace sluice::kafka
