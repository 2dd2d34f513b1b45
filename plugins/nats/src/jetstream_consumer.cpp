// A durable JetStream consumer feeding the host at-least-once (see
// jetstream_consumer.hpp).
#include "jetstream_consumer.hpp"

#include <chrono>
#include <vector>

#include "message.hpp"
#include "thread_name.hpp"

namespace sluice::nats {
namespace {

constexpr int64_t kMsToNs = 1000000;
constexpr int64_t kFetchWaitMs = 500;  // bounds how long stop() waits for the fetcher

std::string js_error(natsStatus s, jsErrCode code) {
  std::string text = nats_error(s);
  if (code != 0) text += " (JetStream err_code " + std::to_string(static_cast<int>(code)) + ")";
  return text;
}

}  // namespace

JetStreamConsumer::JetStreamConsumer(const Host& host, const NatsSettings& settings,
                                     PluginMetrics& metrics, NatsConnection& connection)
    : host_(host),
      settings_(settings),
      js_settings_(settings.jetstream),
      metrics_(metrics),
      connection_(connection),
      subjects_(settings.jetstream.subjects) {}

JetStreamConsumer::~JetStreamConsumer() {
  stop();
  destroy();
}

bool JetStreamConsumer::setup(std::string& error) {
  if (sub_) return true;
  if (!js_) {
    jsOptions opts;
    jsOptions_Init(&opts);
    opts.Wait = std::max<int64_t>(settings_.timeout_ms, 2000);
    natsStatus s = natsConnection_JetStream(&js_, connection_.get(), &opts);
    if (s != NATS_OK) {
      error = "cannot use JetStream: " + nats_error(s);
      return false;
    }
  }
  return find_or_create_stream(error) && find_or_create_consumer(error) && bind(error);
}

bool JetStreamConsumer::find_or_create_stream(std::string& error) {
  const std::string& name = js_settings_.stream;
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, js_, name.c_str(), nullptr, &code);
  if (s != NATS_OK && code == JSStreamNotFoundErr && js_settings_.create_stream) {
    std::vector<const char*> subjects;
    for (const auto& subject : js_settings_.subjects) subjects.push_back(subject.c_str());
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    cfg.Name = name.c_str();
    cfg.Subjects = subjects.data();
    cfg.SubjectsLen = static_cast<int>(subjects.size());
    cfg.Storage = js_settings_.memory_storage ? js_MemoryStorage : js_FileStorage;
    s = js_AddStream(&info, js_, &cfg, nullptr, &code);
    if (s != NATS_OK && code == JSStreamNameExistErr)  // another instance was quicker
      s = js_GetStreamInfo(&info, js_, name.c_str(), nullptr, &code);
    if (s == NATS_OK) host_.logf(LogLevel::kInfo, "created JetStream stream '%s'", name.c_str());
  }
  if (s != NATS_OK) {
    if (code == JSStreamNotFoundErr)
      error = "JetStream stream '" + name +
              "' does not exist (create it, or set jetstream.create_stream: true)";
    else
      error = "cannot read JetStream stream '" + name + "': " + js_error(s, code);
    return false;
  }
  if (subjects_.empty() && info->Config)
    for (int i = 0; i < info->Config->SubjectsLen; ++i)
      subjects_.emplace_back(info->Config->Subjects[i]);
  jsStreamInfo_Destroy(info);
  return true;
}

bool JetStreamConsumer::find_or_create_consumer(std::string& error) {
  const std::string& stream = js_settings_.stream;
  const std::string& durable = js_settings_.durable;
  jsConsumerInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetConsumerInfo(&info, js_, stream.c_str(), durable.c_str(), nullptr, &code);
  if (s != NATS_OK && code == JSConsumerNotFoundErr && js_settings_.create_consumer) {
    std::string deliver = "_SLUICE.deliver." + stream + "." + durable;
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.Durable = durable.c_str();
    cc.AckPolicy = js_AckExplicit;
    cc.AckWait = js_settings_.ack_wait_ms * kMsToNs;
    cc.MaxDeliver = js_settings_.max_deliver;
    cc.MaxAckPending = js_settings_.max_ack_pending;
    if (!js_settings_.filter_subject.empty())
      cc.FilterSubject = js_settings_.filter_subject.c_str();
    cc.DeliverPolicy = js_settings_.deliver_policy == "new"    ? js_DeliverNew
                       : js_settings_.deliver_policy == "last" ? js_DeliverLast
                                                               : js_DeliverAll;
    if (!js_settings_.pull) {
      cc.DeliverSubject = deliver.c_str();
      if (!settings_.queue_group.empty()) cc.DeliverGroup = settings_.queue_group.c_str();
    }
    s = js_AddConsumer(&info, js_, stream.c_str(), &cc, nullptr, &code);
    if (s != NATS_OK && (code == JSConsumerNameExistErr || code == JSConsumerExistingActiveErr))
      s = js_GetConsumerInfo(&info, js_, stream.c_str(), durable.c_str(), nullptr, &code);
    if (s == NATS_OK)
      host_.logf(LogLevel::kInfo, "created JetStream %s consumer '%s' on stream '%s'",
                 js_settings_.pull ? "pull" : "push", durable.c_str(), stream.c_str());
  }
  if (s != NATS_OK) {
    if (code == JSConsumerNotFoundErr)
      error = "JetStream consumer '" + durable + "' does not exist on stream '" + stream +
              "' (create it, or set jetstream.create_consumer: true)";
    else
      error = "cannot read JetStream consumer '" + durable + "': " + js_error(s, code);
    return false;
  }
  bool is_push = info->Config && info->Config->DeliverSubject && *info->Config->DeliverSubject;
  if (is_push == js_settings_.pull) {
    error = "JetStream consumer '" + durable + "' is a " + (is_push ? "push" : "pull") +
            " consumer but jetstream.deliver is '" + (js_settings_.pull ? "pull" : "push") + "'";
    jsConsumerInfo_Destroy(info);
    return false;
  }
  // Binding must name the consumer's own filter, if it has one.
  if (info->Config && info->Config->FilterSubject && *info->Config->FilterSubject)
    bind_subject_ = info->Config->FilterSubject;
  else
    bind_subject_ = subjects_.empty() ? ">" : subjects_.front();
  jsConsumerInfo_Destroy(info);
  return true;
}

bool JetStreamConsumer::bind(std::string& error) {
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = js_settings_.stream.c_str();
  so.Consumer = js_settings_.durable.c_str();
  so.ManualAck = true;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s;
  if (js_settings_.pull) {
    s = js_PullSubscribe(&sub_, js_, bind_subject_.c_str(), js_settings_.durable.c_str(), nullptr,
                         &so, &code);
  } else {
    if (!settings_.queue_group.empty()) so.Queue = settings_.queue_group.c_str();
    s = js_Subscribe(&sub_, js_, bind_subject_.c_str(), &on_push, this, nullptr, &so, &code);
    if (s == NATS_OK) s = natsSubscription_SetOnCompleteCB(sub_, &on_sub_complete, this);
    // Never drop pushed messages in the client; the server bounds them
    // with max_ack_pending.
    if (s == NATS_OK) s = natsSubscription_SetPendingLimits(sub_, -1, -1);
  }
  if (s != NATS_OK) {
    error =
        "cannot bind to JetStream consumer '" + js_settings_.durable + "': " + js_error(s, code);
    if (sub_) natsSubscription_Destroy(sub_);
    sub_ = nullptr;
    return false;
  }
  return true;
}

void JetStreamConsumer::start() {
  if (js_settings_.pull && sub_ && !fetcher_.joinable())
    fetcher_ = std::thread([this] {
      name_this_thread("nats-js-fetch");
      fetch_loop();
    });
}

void JetStreamConsumer::fetch_loop() {
  while (!stopping_.load()) {
    if (connection_.state() != LinkState::kConnected) {
      connection_.wait_connected(200);
      continue;
    }
    natsMsgList list{nullptr, 0};
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = natsSubscription_Fetch(&list, sub_, js_settings_.batch, kFetchWaitMs, &code);
    std::vector<natsMsg*> msgs;
    for (int i = 0; i < list.Count; ++i) {
      msgs.push_back(list.Msgs[i]);
      list.Msgs[i] = nullptr;
    }
    natsMsgList_Destroy(&list);
    if (s != NATS_OK && s != NATS_TIMEOUT && msgs.empty()) {
      host_.logf(LogLevel::kWarn, "JetStream fetch from '%s' failed: %s",
                 js_settings_.durable.c_str(), js_error(s, code).c_str());
      connection_.wait_connected(200);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    // Stopping: what the host did not take goes back for redelivery.
    for (size_t j = emit(msgs); j < msgs.size(); ++j) {
      natsMsg_Nak(msgs[j], nullptr);
      natsMsg_Destroy(msgs[j]);
    }
  }
}

size_t JetStreamConsumer::emit(const std::vector<natsMsg*>& msgs) {
  size_t n = msgs.size();
  IncomingBatch batch(msgs, true);
  std::vector<uint64_t> ids(n);
  {
    // Registered first: the host may ack before emit_batch returns.
    std::lock_guard lock(acks_mutex_);
    for (size_t i = 0; i < n; ++i) {
      ids[i] = next_ack_id_++;
      unacked_.emplace(ids[i], msgs[i]);
    }
  }
  using Clock = std::chrono::steady_clock;
  auto progress_every =
      std::chrono::milliseconds(std::max<int64_t>(js_settings_.ack_wait_ms / 3, 1));
  auto last_progress = Clock::now();
  size_t done = 0;
  while (done < n) {
    // Taken messages may be acked (and freed) at once: from here on only
    // [done, n) is touched.
    size_t accepted = 0;
    Status st =
        host_.emit_batch(batch.messages() + done, ids.data() + done, n - done, 100, accepted);
    metrics_.received.add(static_cast<double>(accepted));
    done += accepted;
    if (st == Status::kOk) break;
    if (st != Status::kBusy || stopping_.load() || gate_.closed()) {
      if (st != Status::kBusy && st != Status::kClosed)
        host_.logf(LogLevel::kWarn, "the host refused a JetStream message on '%s' (status %d)",
                   natsMsg_GetSubject(msgs[done]), static_cast<int>(st));
      std::lock_guard lock(acks_mutex_);
      for (size_t i = done; i < n; ++i) unacked_.erase(ids[i]);
      break;
    }
    // Busy: keep the waiting messages from being redelivered meanwhile.
    if (Clock::now() - last_progress >= progress_every) {
      for (size_t i = done; i < n; ++i) natsMsg_InProgress(msgs[i], nullptr);
      last_progress = Clock::now();
    }
  }
  return done;
}

void JetStreamConsumer::on_push(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  auto* self = static_cast<JetStreamConsumer*>(closure);
  GatePass pass(self->gate_);
  if (pass && self->emit({msg}) == 1) return;
  natsMsg_Nak(msg, nullptr);
  natsMsg_Destroy(msg);
}

namespace {

natsStatus send_ack(natsMsg* msg, Outcome outcome, int64_t nak_delay_ms) {
  return outcome == Outcome::kAck ? natsMsg_Ack(msg, nullptr)
                                  : natsMsg_NakWithDelay(msg, nak_delay_ms, nullptr);
}

}  // namespace

void JetStreamConsumer::ack(uint64_t ack_id, Outcome outcome) {
  natsMsg* msg = nullptr;
  {
    std::lock_guard lock(acks_mutex_);
    auto it = unacked_.find(ack_id);
    if (it == unacked_.end()) return;
    msg = it->second;
    unacked_.erase(it);
  }
  (outcome == Outcome::kAck ? metrics_.js_acked : metrics_.js_nacked).add(1);
  natsStatus s = send_ack(msg, outcome, js_settings_.nak_delay_ms);
  if (s == NATS_INSUFFICIENT_BUFFER) {
    // Disconnected: keep it for the reconnect (the server still holds the
    // message for this durable consumer, so the ack counts then).
    std::lock_guard lock(acks_mutex_);
    deferred_acks_.emplace_back(msg, outcome);
    return;
  }
  if (s != NATS_OK)
    host_.logf(LogLevel::kDebug,
               "could not %s a JetStream message (%s); the server redelivers it after ack_wait",
               outcome == Outcome::kAck ? "ack" : "nak", natsStatus_GetText(s));
  natsMsg_Destroy(msg);
}

void JetStreamConsumer::resend_deferred_acks() {
  std::vector<std::pair<natsMsg*, Outcome>> pending;
  {
    std::lock_guard lock(acks_mutex_);
    pending.swap(deferred_acks_);
  }
  std::vector<std::pair<natsMsg*, Outcome>> again;
  for (auto& [msg, outcome] : pending) {
    if (send_ack(msg, outcome, js_settings_.nak_delay_ms) == NATS_INSUFFICIENT_BUFFER) {
      again.emplace_back(msg, outcome);  // gone again already
      continue;
    }
    natsMsg_Destroy(msg);
  }
  if (again.empty()) return;
  std::lock_guard lock(acks_mutex_);
  deferred_acks_.insert(deferred_acks_.end(), again.begin(), again.end());
}

void JetStreamConsumer::stop() {
  stopping_.store(true);
  if (fetcher_.joinable()) fetcher_.join();
  gate_.close_and_wait(std::chrono::milliseconds(settings_.drain_timeout_ms));
}

void JetStreamConsumer::on_sub_complete(void* closure) {
  static_cast<JetStreamConsumer*>(closure)->sub_done_.store(true);
}

void JetStreamConsumer::destroy() {
  std::unordered_map<uint64_t, natsMsg*> left;
  {
    std::lock_guard lock(acks_mutex_);
    left.swap(unacked_);
  }
  for (auto& [id, msg] : left) {
    natsMsg_Nak(msg, nullptr);
    natsMsg_Destroy(msg);
  }
  resend_deferred_acks();  // last chance; what still cannot go is redelivered
  {
    std::lock_guard lock(acks_mutex_);
    for (auto& [msg, outcome] : deferred_acks_) natsMsg_Destroy(msg);
    deferred_acks_.clear();
  }
  if (sub_) {
    natsSubscription_Unsubscribe(sub_);  // bound consumer: the server keeps it
    if (!js_settings_.pull) {
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (!sub_done_.load() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    natsSubscription_Destroy(sub_);
    sub_ = nullptr;
  }
  if (js_) {
    jsCtx_Destroy(js_);
    js_ = nullptr;
  }
}

}  // namespace sluice::nats
