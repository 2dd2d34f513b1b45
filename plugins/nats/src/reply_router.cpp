// One inbox subscription answering requests and JetStream publishes (see
// reply_router.hpp).
#include "reply_router.hpp"

#include <boost/json.hpp>
#include <optional>
#include <vector>

#include "connection.hpp"
#include "message.hpp"
#include "thread_name.hpp"

namespace sluice::nats {

ReplyRouter::ReplyRouter(const Host& host, PluginMetrics& metrics)
    : host_(host), metrics_(metrics) {}

ReplyRouter::~ReplyRouter() { stop(); }

bool ReplyRouter::start(std::string& error) {
  natsInbox* inbox = nullptr;
  natsStatus s = natsInbox_Create(&inbox);
  if (s != NATS_OK) {
    error = "cannot create a reply inbox: " + nats_error(s);
    return false;
  }
  prefix_ = std::string(inbox) + ".";
  natsInbox_Destroy(inbox);
  reaper_ = std::thread([this] {
    name_this_thread("nats-timeouts");
    reap_loop();
  });
  return true;
}

bool ReplyRouter::subscribe(natsConnection* nc, std::string& error) {
  // Under the lock: stop() must see either no subscription or a whole one.
  std::lock_guard lock(mutex_);
  if (sub_ || stopping_) return true;
  std::string wildcard = prefix_ + "*";
  natsStatus s = natsConnection_Subscribe(&sub_, nc, wildcard.c_str(), &on_reply, this);
  if (s == NATS_OK) s = natsSubscription_SetOnCompleteCB(sub_, &on_sub_complete, this);
  // Replies must never be dropped by the client: no pending limits.
  if (s == NATS_OK) s = natsSubscription_SetPendingLimits(sub_, -1, -1);
  if (s != NATS_OK) {
    error = "cannot subscribe to the reply inbox: " + nats_error(s);
    natsSubscription_Destroy(sub_);  // the next connect tries again
    sub_ = nullptr;
    return false;
  }
  return true;
}

std::string ReplyRouter::add(Kind kind, std::string_view subject, Completion& completion,
                             int64_t timeout_ms, uint64_t& id) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  bool earliest;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
    entries_.emplace(
        id, Entry{kind, std::string(subject), std::move(completion), deadline, timeout_ms});
    auto it = deadlines_.emplace(deadline, id).first;
    earliest = it == deadlines_.begin();
  }
  metrics_.in_flight.add(1);
  if (earliest) wake_.notify_one();
  return prefix_ + std::to_string(id);
}

bool ReplyRouter::take_back(uint64_t id, Completion& completion, Clock::time_point* deadline) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return false;
  if (deadline) *deadline = it->second.deadline;
  deadlines_.erase({it->second.deadline, id});
  completion = std::move(it->second.completion);
  entries_.erase(it);
  metrics_.in_flight.add(-1);
  return true;
}

void ReplyRouter::restore(uint64_t id, Kind kind, std::string_view subject, Completion& completion,
                          Clock::time_point deadline, int64_t timeout_ms) {
  bool earliest;
  {
    std::lock_guard lock(mutex_);
    entries_.emplace(
        id, Entry{kind, std::string(subject), std::move(completion), deadline, timeout_ms});
    earliest = deadlines_.emplace(deadline, id).first == deadlines_.begin();
  }
  metrics_.in_flight.add(1);
  if (earliest) wake_.notify_one();
}

size_t ReplyRouter::pending() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void ReplyRouter::on_reply(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  auto* self = static_cast<ReplyRouter*>(closure);
  NatsMsgPtr owned(msg);
  std::string_view subject = natsMsg_GetSubject(msg);
  if (subject.size() <= self->prefix_.size()) return;
  uint64_t id = std::strtoull(subject.data() + self->prefix_.size(), nullptr, 10);
  std::optional<Entry> entry;
  {
    std::lock_guard lock(self->mutex_);
    auto it = self->entries_.find(id);
    if (it == self->entries_.end()) return;  // late answer after a timeout
    self->deadlines_.erase({it->second.deadline, id});
    entry.emplace(std::move(it->second));
    self->entries_.erase(it);
  }
  // Completed outside the lock: the host may call back into the plugin.
  self->answer(*entry, msg);
  self->metrics_.in_flight.add(-1);
}

namespace {

// Reads a JetStream PubAck; returns the error text, or "" when the stream
// stored the message.
std::string pub_ack_problem(std::string_view payload) {
  boost::system::error_code ec;
  auto value = boost::json::parse(payload, ec);
  if (ec || !value.is_object()) return "unreadable PubAck: " + std::string(payload.substr(0, 200));
  const auto& obj = value.get_object();
  if (const auto* err = obj.if_contains("error"); err && err->is_object()) {
    std::string text = "JetStream refused the message";
    if (const auto* d = err->get_object().if_contains("description"); d && d->is_string())
      text += ": " + std::string(d->get_string());
    if (const auto* c = err->get_object().if_contains("err_code"); c && c->is_int64())
      text += " (err_code " + std::to_string(c->get_int64()) + ")";
    return text;
  }
  if (!obj.contains("stream")) return "unexpected PubAck: " + std::string(payload.substr(0, 200));
  return {};
}

}  // namespace

void ReplyRouter::answer(Entry& entry, natsMsg* msg) {
  bool no_responders = natsMsg_IsNoResponders(msg);
  if (entry.kind == Kind::kJetStreamPublish) {
    std::string problem =
        no_responders
            ? "no JetStream stream stores subject '" + entry.subject + "'"
            : pub_ack_problem(std::string_view(natsMsg_GetData(msg), natsMsg_GetDataLength(msg)));
    if (problem.empty()) {
      metrics_.published.add(1);
      entry.completion.ok();
    } else {
      metrics_.publish_failed.add(1);
      entry.completion.fail(Status::kError, problem);
    }
    return;
  }
  if (no_responders) {
    metrics_.requests_failed.add(1);
    entry.completion.fail(Status::kError, "no responders on subject '" + entry.subject + "'");
    return;
  }
  IncomingMessage reply(msg, false);
  OutMessage out = reply.message();
  out.subject = entry.subject;
  out.reply_to = {};
  metrics_.requests_ok.add(1);
  entry.completion.reply(out);
}

void ReplyRouter::time_out(Entry& entry) {
  std::string why = entry.kind == Kind::kRequest ? "no reply on '" : "no PubAck for '";
  why += entry.subject + "' within " + std::to_string(entry.timeout_ms) + " ms";
  if (entry.kind == Kind::kRequest) {
    metrics_.requests_timeout.add(1);
    entry.completion.fail(Status::kTimeout, why);
  } else {
    metrics_.publish_failed.add(1);
    entry.completion.fail(Status::kError, why);
  }
  metrics_.in_flight.add(-1);
}

void ReplyRouter::reap_loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (deadlines_.empty()) {
      wake_.wait(lock);
      continue;
    }
    auto next = deadlines_.begin()->first;
    if (Clock::now() < next) {
      wake_.wait_until(lock, next);
      continue;
    }
    std::vector<Entry> expired;
    auto now = Clock::now();
    while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
      uint64_t id = deadlines_.begin()->second;
      deadlines_.erase(deadlines_.begin());
      auto it = entries_.find(id);
      if (it == entries_.end()) continue;
      expired.push_back(std::move(it->second));
      entries_.erase(it);
    }
    lock.unlock();
    for (auto& e : expired) time_out(e);
    lock.lock();
  }
}

void ReplyRouter::fail_all(Status status, std::string_view why) {
  std::vector<Entry> all;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, e] : entries_) all.push_back(std::move(e));
    entries_.clear();
    deadlines_.clear();
  }
  for (auto& e : all) {
    (e.kind == Kind::kRequest ? metrics_.requests_failed : metrics_.publish_failed).add(1);
    e.completion.fail(status, why);
    metrics_.in_flight.add(-1);
  }
}

void ReplyRouter::on_sub_complete(void* closure) {
  auto* self = static_cast<ReplyRouter*>(closure);
  // Signalled under the lock: stop() may free this object once it sees it.
  std::lock_guard lock(self->mutex_);
  self->sub_done_ = true;
  self->wake_.notify_all();
}

void ReplyRouter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (reaper_.joinable()) reaper_.join();
  if (sub_) {
    natsSubscription_Unsubscribe(sub_);
    std::unique_lock lock(mutex_);
    // The callback may still be running; on_sub_complete says it is done.
    wake_.wait_for(lock, std::chrono::seconds(5), [&] { return sub_done_; });
    lock.unlock();
    natsSubscription_Destroy(sub_);
    sub_ = nullptr;
  }
}

}  // namespace sluice::nats
