#include "kafka_consumer.hpp"

#include <charconv>
#include <cstring>

#include "ack_id.hpp"
#include "rdkafka_handles.hpp"

namespace sluice::kafka {
namespace {

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string describe(const rd_kafka_topic_partition_list_t* list) {
  std::string out;
  for (int i = 0; i < list->cnt && i < 32; ++i)
    out += (out.empty() ? "" : ", ") + std::string(list->elems[i].topic) + "[" +
           std::to_string(list->elems[i].partition) + "]";
  if (list->cnt > 32) out += ", ...";
  return out;
}

}  // namespace

KafkaConsumer::KafkaConsumer(const Host& host, ConnectorHealth& health, KafkaMetrics& metrics,
                             ConsumerOptions options, KafkaProducer* dead_letters)
    : ClientEvents(host, health, ConnectorHealth::Client::kConsumer, metrics),
      options_(std::move(options)),
      dead_letters_(dead_letters) {}

KafkaConsumer::~KafkaConsumer() {
  stop_polling();
  close();
}

bool KafkaConsumer::start(std::string& error) {
  ConfPtr conf = make_conf(options_.properties, error);
  if (!conf) return false;
  install_callbacks(conf.get());
  rd_kafka_conf_set_rebalance_cb(conf.get(), &KafkaConsumer::rebalance_cb);
  rd_kafka_conf_set_offset_commit_cb(conf.get(), &KafkaConsumer::commit_cb);
  char errstr[512] = {0};
  rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), errstr, sizeof errstr);
  if (!rk_) {
    error = std::string("cannot create the Kafka consumer: ") + errstr;
    return false;
  }
  conf.release();
  // Errors, statistics and rebalances all arrive through consumer_poll.
  rd_kafka_poll_set_consumer(rk_);

  PartitionListPtr topics = make_partition_list(static_cast<int>(options_.topics.size()));
  for (const auto& t : options_.topics)
    rd_kafka_topic_partition_list_add(topics.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  if (rd_kafka_resp_err_t err = rd_kafka_subscribe(rk_, topics.get())) {
    error = std::string("cannot subscribe: ") + rd_kafka_err2str(err);
    rd_kafka_destroy_flags(rk_, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    rk_ = nullptr;
    return false;
  }
  thread_ = std::thread([this] { run(); });
  return true;
}

void KafkaConsumer::stop() {
  std::lock_guard lock(emit_mutex_);
  stopping_ = true;
}

void KafkaConsumer::stop_polling() {
  quit_.store(true);
  if (thread_.joinable()) thread_.join();
}

// ------------------------------------------------------------- polling thread

void KafkaConsumer::run() {
  while (!quit_.load(std::memory_order_relaxed)) {
    auto now = std::chrono::steady_clock::now();
    if (now >= next_store_) {
      store_offsets();
      next_store_ = now + options_.store_interval;
    }
    bool stopping;
    {
      std::lock_guard lock(emit_mutex_);
      stopping = stopping_;
    }
    bool blocked = false;
    if (stopping) {
      pause_all();
    } else {
      if (seeks_wanted_.load(std::memory_order_relaxed) > 0) apply_seeks();
      blocked = drain_backlogs();
    }
    for (uint32_t i = 0; i < options_.max_poll_batch && !quit_.load(std::memory_order_relaxed);
         ++i) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, i == 0 && !blocked ? 100 : 0);
      if (!m) break;
      handle(m);
    }
    flush_pending();
  }
  // Whatever the host never accepted is abandoned: it blocks the commit
  // point and is read again after a restart or by the next owner.
  for (auto& [key, p] : assigned_) drop_backlog(*p);
  store_offsets();
}

void KafkaConsumer::handle(rd_kafka_message_t* m) {
  MessagePtr owned(m);
  if (m->err) {
    handle_error(m);
    return;
  }
  Partition* p = find_partition(m);
  if (!p) return;  // a partition no longer assigned: the next owner reads it
  {
    std::lock_guard lock(emit_mutex_);
    if (stopping_) return;  // not handed over, so never committed
  }
  PartitionTracker::Arrival arrival = p->tracker.on_message(m->offset);
  if (arrival == PartitionTracker::Arrival::kSkip) return;
  Partition::Held held{
      m, arrival == PartitionTracker::Arrival::kRedeliver && !options_.dead_letter_topic.empty()};
  if (!held.to_dead_letter && p->backlog.empty()) {
    // Handed over with the rest of this poll round (flush_pending).
    pending_.push_back({p, m});
    owned.release();
    return;
  }
  flush_pending();            // what came before goes first
  if (!p->backlog.empty()) {  // keep the partition's order behind what waits
    p->backlog.push_back(held);
    owned.release();
    return;
  }
  Status s = deliver(*p, held, 0);
  if (s == Status::kBusy) s = deliver(*p, held, static_cast<uint32_t>(options_.emit_wait.count()));
  if (s == Status::kBusy) {
    p->backlog.push_back(held);
    owned.release();
    backlogged_.insert(p);
    pause(*p);
  }
}

void KafkaConsumer::handle_error(const rd_kafka_message_t* m) {
  switch (m->err) {
    case RD_KAFKA_RESP_ERR__PARTITION_EOF:
      return;
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
      host_.logf(LogLevel::kWarn, "consumer: topic %s is not available (yet): %s",
                 m->rkt ? rd_kafka_topic_name(m->rkt) : "?", rd_kafka_message_errstr(m));
      return;
    default:
      host_.logf(LogLevel::kWarn, "consumer: %s: %s", rd_kafka_err2name(m->err),
                 rd_kafka_message_errstr(m));
  }
}

KafkaConsumer::Partition* KafkaConsumer::find_partition(const rd_kafka_message_t* m) {
  CacheKey key{m->rkt, m->partition};
  auto hit = lookup_cache_.find(key);
  if (hit != lookup_cache_.end()) return hit->second;
  auto it = assigned_.find({rd_kafka_topic_name(m->rkt), m->partition});
  if (it == assigned_.end()) return nullptr;
  lookup_cache_.emplace(key, it->second.get());
  return it->second.get();
}

Status KafkaConsumer::deliver(Partition& p, const Partition::Held& held, uint32_t wait_ms) {
  return held.to_dead_letter ? dead_letter(p, held.message) : emit(p, held.message, wait_ms);
}

Status KafkaConsumer::emit(Partition& p, const rd_kafka_message_t* m, uint32_t wait_ms) {
  const sluice_message& out = single_.fill(m);
  Status s;
  {
    std::lock_guard lock(emit_mutex_);
    s = stopping_ ? Status::kClosed : host_.emit(out, AckId::encode(p.slot, m->offset), wait_ms);
  }
  switch (s) {
    case Status::kOk:
      metrics_.consumed.add();
      health_.brokers_reachable(client_);
      return s;
    case Status::kBusy:
      return s;
    case Status::kClosed:
      // Shutting down: never acked, so never committed.
      p.tracker.abandon(m->offset);
      {
        std::lock_guard lock(emit_mutex_);
        stopping_ = true;
      }
      return s;
    default:
      skip_rejected(p, m);
      return s;
  }
}

void KafkaConsumer::skip_rejected(Partition& p, const rd_kafka_message_t* m) {
  // Refused for good: count it as handled so that it does not hold the
  // partition back forever.
  host_.logf(LogLevel::kError, "consumer: the host rejected %s[%d] offset %lld; skipping it",
             rd_kafka_topic_name(m->rkt), static_cast<int>(m->partition),
             static_cast<long long>(m->offset));
  if (p.tracker.complete(m->offset)) p.dirty.store(true);
}

Status KafkaConsumer::dead_letter(Partition& p, const rd_kafka_message_t* m) {
  if (!dead_letters_) return emit(p, m, 0);
  dead_letter_strings_.clear();
  dead_letter_strings_.push_back(rd_kafka_topic_name(m->rkt));
  dead_letter_strings_.push_back(std::to_string(m->partition));
  dead_letter_strings_.push_back(std::to_string(m->offset));

  KafkaProducer::Record r;
  r.topic = options_.dead_letter_topic;
  if (m->key) r.key = std::string_view(static_cast<const char*>(m->key), m->key_len);
  r.payload = m->payload ? std::string_view(static_cast<const char*>(m->payload), m->len)
                         : std::string_view();
  for_each_header(m, [&](std::string_view name, std::string_view value) {
    r.headers.emplace_back(name, value);
  });
  r.headers.emplace_back("sluice-error", "refused by the routes (NACK): delivery failed");
  r.headers.emplace_back("sluice-source-topic", dead_letter_strings_[0]);
  r.headers.emplace_back("sluice-source-partition", dead_letter_strings_[1]);
  r.headers.emplace_back("sluice-source-offset", dead_letter_strings_[2]);
  rd_kafka_timestamp_type_t ts_type;
  int64_t ts = rd_kafka_message_timestamp(m, &ts_type);
  r.timestamp_ms = ts > 0 ? ts : 0;

  const uint64_t ack_id = AckId::encode(p.slot, m->offset);
  std::string error;
  Status s = dead_letters_->produce(
      r,
      [this, ack_id](rd_kafka_resp_err_t err) {
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
          metrics_.dead_lettered.add();
        } else {
          host_.logf(LogLevel::kWarn, "consumer: dead-letter delivery failed (%s); will retry",
                     rd_kafka_err2str(err));
        }
        ack(ack_id, err == RD_KAFKA_RESP_ERR_NO_ERROR ? Outcome::kAck : Outcome::kNack);
      },
      error);
  if (s == Status::kOk || s == Status::kBusy) return s;
  host_.logf(LogLevel::kWarn, "consumer: %s; will retry", error.c_str());
  ack(ack_id, Outcome::kNack);
  return s;
}

void KafkaConsumer::flush_pending() {
  size_t n = pending_.size();
  if (n == 0) return;
  if (views_.size() < n) views_ = std::vector<ConsumedMessage>(n);
  batch_.resize(n);
  ids_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    batch_[i] = views_[i].fill(pending_[i].message);
    ids_[i] = AckId::encode(pending_[i].partition->slot, pending_[i].message->offset);
  }
  size_t done = 0;
  uint32_t wait_ms = 0;
  while (done < n) {
    size_t accepted = 0;
    Status s;
    {
      std::lock_guard lock(emit_mutex_);
      s = stopping_ ? Status::kClosed
                    : host_.emit_batch(batch_.data() + done, ids_.data() + done, n - done, wait_ms,
                                       accepted);
    }
    if (accepted > 0) {
      metrics_.consumed.add(static_cast<double>(accepted));
      health_.brokers_reachable(client_);
    }
    for (size_t i = done; i < done + accepted; ++i) rd_kafka_message_destroy(pending_[i].message);
    done += accepted;
    if (s == Status::kOk) break;
    if (s == Status::kBusy && wait_ms == 0 && options_.emit_wait.count() > 0) {
      wait_ms = static_cast<uint32_t>(options_.emit_wait.count());
      continue;
    }
    if (s == Status::kBusy) {
      // Still full: the rest waits in its partitions' backlogs, in order,
      // and those partitions pause until the host takes it.
      for (size_t i = done; i < n; ++i) {
        Partition& p = *pending_[i].partition;
        p.backlog.push_back({pending_[i].message, false});
        backlogged_.insert(&p);
        pause(p);
      }
      break;
    }
    if (s == Status::kClosed) {
      // Shutting down: never acked, so never committed.
      for (size_t i = done; i < n; ++i) {
        pending_[i].partition->tracker.abandon(pending_[i].message->offset);
        rd_kafka_message_destroy(pending_[i].message);
      }
      std::lock_guard lock(emit_mutex_);
      stopping_ = true;
      break;
    }
    // Refused for good: skipped, and on with the next.
    skip_rejected(*pending_[done].partition, pending_[done].message);
    rd_kafka_message_destroy(pending_[done].message);
    ++done;
  }
  pending_.clear();
}

bool KafkaConsumer::drain_backlogs() {
  bool blocked = false;
  bool waited = false;
  for (auto it = backlogged_.begin(); it != backlogged_.end();) {
    Partition& p = **it;
    while (!p.backlog.empty()) {
      uint32_t wait = waited ? 0 : static_cast<uint32_t>(options_.emit_wait.count());
      waited = true;
      Status s = deliver(p, p.backlog.front(), wait);
      if (s == Status::kBusy) break;
      rd_kafka_message_destroy(p.backlog.front().message);
      p.backlog.pop_front();
    }
    if (p.backlog.empty()) {
      resume(p);
      it = backlogged_.erase(it);
    } else {
      blocked = true;
      ++it;
    }
  }
  return blocked;
}

void KafkaConsumer::pause(Partition& p) {
  if (p.paused) return;
  PartitionListPtr list = make_partition_list(1);
  rd_kafka_topic_partition_list_add(list.get(), p.topic.c_str(), p.id);
  rd_kafka_pause_partitions(rk_, list.get());
  p.paused = true;
  metrics_.backpressure_pauses.add();
  update_gauges();
}

void KafkaConsumer::resume(Partition& p) {
  // Only ever resume what was paused: resuming a running partition can
  // make librdkafka fetch from an older position.
  if (!p.paused) return;
  PartitionListPtr list = make_partition_list(1);
  rd_kafka_topic_partition_list_add(list.get(), p.topic.c_str(), p.id);
  rd_kafka_resume_partitions(rk_, list.get());
  p.paused = false;
  update_gauges();
}

void KafkaConsumer::update_gauges() {
  size_t paused = 0;
  for (const auto& [key, p] : assigned_) paused += p->paused ? 1 : 0;
  metrics_.paused_partitions.set(static_cast<double>(paused));
  metrics_.assigned_partitions.set(static_cast<double>(assigned_.size()));
}

void KafkaConsumer::pause_all() {
  if (paused_for_stop_) return;
  paused_for_stop_ = true;
  for (auto& [key, p] : assigned_) pause(*p);
}

void KafkaConsumer::apply_seeks() {
  const int64_t now = steady_ms();
  seeks_wanted_.store(0);
  for (auto& [key, p] : assigned_) {
    if (!p->tracker.seek_wanted()) continue;
    if (p->paused || !p->backlog.empty() || now < p->seek_not_before_ms.load()) {
      seeks_wanted_.fetch_add(1);  // not yet: look again next round
      continue;
    }
    auto target = p->tracker.take_seek_target();
    if (!target) continue;
    PartitionListPtr list = make_partition_list(1);
    rd_kafka_topic_partition_list_add(list.get(), p->topic.c_str(), p->id)->offset = *target;
    // Synchronous, so that no message fetched before the seek comes after it.
    ErrorPtr error(rd_kafka_seek_partitions(rk_, list.get(), 5000));
    if (error || list->elems[0].err) {
      host_.logf(LogLevel::kWarn, "consumer: cannot seek %s[%d] back to %lld: %s", p->topic.c_str(),
                 p->id, static_cast<long long>(*target),
                 error ? rd_kafka_error_string(error.get()) : rd_kafka_err2str(list->elems[0].err));
      // Try again later.
      p->tracker.restore_seek_target(*target);
      p->seek_not_before_ms.store(now + options_.redelivery_delay.count());
      seeks_wanted_.fetch_add(1);
    }
  }
}

void KafkaConsumer::store_offsets() {
  if (!rk_) return;
  PartitionListPtr list;
  for (auto& [key, p] : assigned_) {
    if (!p->dirty.exchange(false)) continue;
    auto point = p->tracker.commit_point();
    if (!point || *point <= p->stored) continue;
    if (!list) list = make_partition_list(8);
    rd_kafka_topic_partition_list_add(list.get(), p->topic.c_str(), p->id)->offset = *point;
    p->stored = *point;
  }
  if (!list) return;
  if (rd_kafka_resp_err_t err = rd_kafka_offsets_store(rk_, list.get()))
    host_.logf(LogLevel::kDebug, "consumer: storing offsets: %s", rd_kafka_err2str(err));
}

void KafkaConsumer::drop_backlog(Partition& p) {
  for (auto& held : p.backlog) {
    p.tracker.abandon(held.message->offset);
    rd_kafka_message_destroy(held.message);
  }
  p.backlog.clear();
  backlogged_.erase(&p);
}

// ------------------------------------------------------------------ acks

void KafkaConsumer::ack(uint64_t ack_id, Outcome outcome) {
  const AckId id = AckId::decode(ack_id);
  std::shared_lock lock(slots_mutex_);
  auto it = slots_.find(id.slot);
  if (it == slots_.end()) {
    metrics_.late_acks.add();
    return;
  }
  Partition& p = *it->second;
  const int64_t offset = p.tracker.resolve_low_bits(id.offset_low, kAckOffsetBits);
  if (outcome == Outcome::kAck) {
    if (p.tracker.complete(offset)) p.dirty.store(true, std::memory_order_relaxed);
  } else if (p.tracker.refuse(offset)) {
    metrics_.redelivered.add();
    p.seek_not_before_ms.store(steady_ms() + options_.redelivery_delay.count());
    seeks_wanted_.fetch_add(1);
  }
  if (p.revoked.load()) {
    std::lock_guard wake(revoke_mutex_);
    revoke_cv_.notify_all();
  }
}

// ------------------------------------------------------------ rebalancing

void KafkaConsumer::rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                 rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* self = static_cast<KafkaConsumer*>(from_opaque(opaque));
  const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
  self->metrics_.rebalances.add();
  // What this poll round read goes to the host first, so that a revoked
  // partition's messages are in flight (or in its backlog), not in limbo.
  self->flush_pending();
  self->lookup_cache_.clear();
  switch (err) {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
      self->assign(partitions, cooperative);
      break;
    case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
      self->revoke(partitions, rd_kafka_assignment_lost(rk) != 0, cooperative);
      break;
    default:
      self->host_.logf(LogLevel::kError, "consumer: rebalance failed: %s", rd_kafka_err2str(err));
      self->revoke_all();
      rd_kafka_assign(rk, nullptr);
      break;
  }
  self->update_gauges();
}

void KafkaConsumer::assign(rd_kafka_topic_partition_list_t* partitions, bool cooperative) {
  for (int i = 0; i < partitions->cnt; ++i) {
    const auto& tp = partitions->elems[i];
    if (assigned_.count({tp.topic, tp.partition})) continue;  // already ours
    std::unique_lock lock(slots_mutex_);
    uint32_t slot = next_slot_;
    while (slots_.count(slot) || slot == 0) slot = (slot % kAckSlotMask) + 1;
    next_slot_ = (slot % kAckSlotMask) + 1;
    auto p = std::make_shared<Partition>(tp.topic, tp.partition, slot);
    slots_.emplace(slot, p);
    assigned_[{p->topic, p->id}] = std::move(p);
  }
  if (cooperative) {
    ErrorPtr error(rd_kafka_incremental_assign(rk_, partitions));
    if (error)
      host_.logf(LogLevel::kError, "consumer: incremental assign failed: %s",
                 rd_kafka_error_string(error.get()));
  } else if (rd_kafka_resp_err_t err = rd_kafka_assign(rk_, partitions)) {
    host_.logf(LogLevel::kError, "consumer: assign failed: %s", rd_kafka_err2str(err));
  }
  host_.logf(LogLevel::kInfo, "consumer: assigned %d partition(s) (%s): %s", partitions->cnt,
             cooperative ? "cooperative" : "eager", describe(partitions).c_str());
}

void KafkaConsumer::revoke(rd_kafka_topic_partition_list_t* partitions, bool lost,
                           bool cooperative) {
  std::vector<PartitionPtr> leaving;
  for (int i = 0; i < partitions->cnt; ++i) {
    auto it = assigned_.find({partitions->elems[i].topic, partitions->elems[i].partition});
    if (it == assigned_.end()) continue;
    PartitionPtr p = it->second;
    p->revoked.store(true);
    drop_backlog(*p);
    resume(*p);  // do not carry a pause into a later assignment
    leaving.push_back(std::move(p));
    assigned_.erase(it);
  }

  size_t abandoned = 0;
  if (!lost) {
    // Give the host a bounded time to finish what it has of these partitions.
    std::unique_lock lock(revoke_mutex_);
    revoke_cv_.wait_for(lock, options_.revoke_timeout, [&] {
      for (const auto& p : leaving)
        if (p->tracker.in_flight() > 0) return false;
      return true;
    });
    PartitionListPtr commits = make_partition_list(static_cast<int>(leaving.size()));
    for (const auto& p : leaving) {
      abandoned += p->tracker.in_flight();
      if (auto point = p->tracker.commit_point())
        rd_kafka_topic_partition_list_add(commits.get(), p->topic.c_str(), p->id)->offset = *point;
    }
    lock.unlock();
    if (commits->cnt > 0) {
      rd_kafka_resp_err_t err = rd_kafka_commit(rk_, commits.get(), 0);
      if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
        host_.logf(LogLevel::kWarn, "consumer: commit on revoke failed: %s", rd_kafka_err2str(err));
    }
  }
  {
    // From here on, answers for these partitions are ignored.
    std::unique_lock lock(slots_mutex_);
    for (const auto& p : leaving) slots_.erase(p->slot);
  }

  if (cooperative) {
    ErrorPtr error(rd_kafka_incremental_unassign(rk_, partitions));
    if (error)
      host_.logf(LogLevel::kError, "consumer: incremental unassign failed: %s",
                 rd_kafka_error_string(error.get()));
  } else {
    rd_kafka_assign(rk_, nullptr);
  }
  std::string note;
  if (abandoned)
    note = ", " + std::to_string(abandoned) + " unfinished message(s) left to the next owner";
  host_.logf(LogLevel::kInfo, "consumer: %s %d partition(s)%s: %s", lost ? "lost" : "revoked",
             partitions->cnt, note.c_str(), describe(partitions).c_str());
}

void KafkaConsumer::revoke_all() {
  std::unique_lock lock(slots_mutex_);
  for (auto& [key, p] : assigned_) {
    p->revoked.store(true);
    drop_backlog(*p);
    slots_.erase(p->slot);
  }
  assigned_.clear();
}

void KafkaConsumer::commit_cb(rd_kafka_t*, rd_kafka_resp_err_t err,
                              rd_kafka_topic_partition_list_t* offsets, void* opaque) {
  auto* self = static_cast<KafkaConsumer*>(from_opaque(opaque));
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET) return;
  self->host_.logf(LogLevel::kWarn, "consumer: offset commit failed: %s (%s)",
                   rd_kafka_err2str(err), offsets ? describe(offsets).c_str() : "");
}

void KafkaConsumer::on_statistics(const StatisticsSummary& stats) {
  metrics_.consumer_lag.set(static_cast<double>(stats.consumer_lag_sum));
  metrics_.consumer_lag_max.set(static_cast<double>(stats.consumer_lag_max));
  metrics_.fetch_queue.set(static_cast<double>(stats.fetch_queue_messages));
  metrics_.consumer_rtt.set(stats.rtt_ms);
  if (stats.group_state) health_.group_state(*stats.group_state, ConnectorHealth::Clock::now());
}

// --------------------------------------------------------------- shutdown

void KafkaConsumer::close() {
  if (!rk_) return;
  store_offsets();
  rd_kafka_resp_err_t err = rd_kafka_commit(rk_, nullptr, 0);
  if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
    host_.logf(LogLevel::kWarn, "consumer: final commit failed: %s", rd_kafka_err2str(err));
  // Leaves the group; serves the last revoke through rebalance_cb here.
  rd_kafka_consumer_close(rk_);
  rd_kafka_destroy(rk_);
  rk_ = nullptr;
}

}  // namespace sluice::kafka
