// The NATS tests' own cnats client and private server (see nats_client.hpp).
#include "nats_client.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <stdexcept>

namespace sluice::test::nats {

Received to_received(natsMsg* msg) {
  Received r;
  r.subject = natsMsg_GetSubject(msg);
  r.payload.assign(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
  if (const char* reply = natsMsg_GetReply(msg)) r.reply = reply;
  const char** keys = nullptr;
  int count = 0;
  if (natsMsgHeader_Keys(msg, &keys, &count) == NATS_OK) {
    for (int i = 0; i < count; ++i) {
      const char* value = nullptr;
      if (natsMsgHeader_Get(msg, keys[i], &value) == NATS_OK && value) r.headers[keys[i]] = value;
    }
    std::free(keys);
  }
  return r;
}

size_t Collector::count() const {
  std::lock_guard lock(mutex_);
  return messages_.size();
}

std::vector<Received> Collector::snapshot() const {
  std::lock_guard lock(mutex_);
  return messages_;
}

bool Collector::wait_for(size_t n, std::chrono::milliseconds timeout) const {
  return wait_until([&] { return count() >= n; }, timeout);
}

void Collector::on_message(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  auto* self = static_cast<Collector*>(closure);
  Received r = to_received(msg);
  natsMsg_Destroy(msg);
  std::lock_guard lock(self->mutex_);
  self->messages_.push_back(std::move(r));
}

Client::Client(const std::string& url, bool reconnect) {
  natsOptions* opts = nullptr;
  natsOptions_Create(&opts);
  natsOptions_SetURL(opts, url.c_str());
  natsOptions_SetTimeout(opts, 2000);
  natsOptions_SetAllowReconnect(opts, reconnect);
  natsOptions_SetMaxReconnect(opts, reconnect ? -1 : 0);
  natsOptions_SetReconnectWait(opts, 100);
  natsStatus s = natsConnection_Connect(&nc_, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK)
    throw std::runtime_error("test client cannot connect to " + url + ": " + natsStatus_GetText(s));
}

Client::~Client() {
  for (auto& c : collectors_) natsSubscription_Unsubscribe(c->sub_);
  natsConnection_Close(nc_);
  for (auto& c : collectors_) natsSubscription_Destroy(c->sub_);
  natsConnection_Destroy(nc_);
}

void Client::publish(const std::string& subject, const std::string& payload,
                     const std::map<std::string, std::string>& headers) {
  natsMsg* msg = nullptr;
  natsMsg_Create(&msg, subject.c_str(), nullptr, payload.data(), static_cast<int>(payload.size()));
  for (const auto& [k, v] : headers) natsMsgHeader_Set(msg, k.c_str(), v.c_str());
  natsStatus s = natsConnection_PublishMsg(nc_, msg);
  natsMsg_Destroy(msg);
  if (s != NATS_OK)
    throw std::runtime_error("test client publish to " + subject +
                             " failed: " + natsStatus_GetText(s));
}

void Client::flush() { natsConnection_FlushTimeout(nc_, 5000); }

std::optional<Received> Client::request(const std::string& subject, const std::string& payload,
                                        std::chrono::milliseconds timeout) {
  natsMsg* reply = nullptr;
  natsStatus s = natsConnection_Request(&reply, nc_, subject.c_str(), payload.data(),
                                        static_cast<int>(payload.size()), timeout.count());
  if (s != NATS_OK) return std::nullopt;
  Received r = to_received(reply);
  natsMsg_Destroy(reply);
  return r;
}

std::shared_ptr<Collector> Client::subscribe(const std::string& subject, const std::string& queue) {
  auto c = std::make_shared<Collector>();
  natsStatus s = queue.empty()
                     ? natsConnection_Subscribe(&c->sub_, nc_, subject.c_str(),
                                                &Collector::on_message, c.get())
                     : natsConnection_QueueSubscribe(&c->sub_, nc_, subject.c_str(), queue.c_str(),
                                                     &Collector::on_message, c.get());
  if (s != NATS_OK)
    throw std::runtime_error("test client cannot subscribe to " + subject + ": " +
                             natsStatus_GetText(s));
  natsSubscription_SetPendingLimits(c->sub_, -1, -1);
  flush();
  collectors_.push_back(c);
  return c;
}

std::string unique_prefix(const std::string& name) {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return "sluicetest." + name + "." + std::to_string(getpid()) + "_" +
         std::to_string(counter.fetch_add(1)) + "_" + std::to_string(rd() % 100000);
}

PrivateServer::PrivateServer(std::vector<std::string> extra_args)
    : port_(free_tcp_port()), extra_args_(std::move(extra_args)) {
  start();
}

PrivateServer::~PrivateServer() { stop(); }

void PrivateServer::start() {
  if (process_) return;
  std::vector<std::string> argv{"nats-server",         "-a",  "127.0.0.1", "-p",
                                std::to_string(port_), "-js", "-sd",       dir_.file("js")};
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  process_ = std::make_unique<Process>(argv);
  if (!wait_until([&] { return tcp_port_open("127.0.0.1", port_); }, std::chrono::seconds(10)))
    throw std::runtime_error("private nats-server did not start on port " + std::to_string(port_) +
                             ": " + process_->output());
}

void PrivateServer::stop() {
  if (!process_) return;
  process_->stop(std::chrono::seconds(10));
  process_.reset();
}

}  // namespace sluice::test::nats
