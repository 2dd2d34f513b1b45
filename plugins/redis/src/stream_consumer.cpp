// Stream consumption in a group (see stream_consumer.hpp).
#include "stream_consumer.hpp"

#include <algorithm>

namespace sluice::redis {

namespace {

constexpr int64_t kPendingPage = 100;  // XPENDING entries per page
const auto kRetryAfterError = std::chrono::milliseconds(1000);

std::string str(const redisReply* r) {
  if (!r) return {};
  if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
      r->type == REDIS_REPLY_ERROR)
    return std::string(r->str, r->len);
  if (r->type == REDIS_REPLY_INTEGER) return std::to_string(r->integer);
  return {};
}

bool is_error(const redisReply* r) { return r && r->type == REDIS_REPLY_ERROR; }

}  // namespace

std::vector<StreamEntry> parse_entries(const redisReply* entries) {
  std::vector<StreamEntry> out;
  if (!entries || entries->type != REDIS_REPLY_ARRAY) return out;
  for (size_t i = 0; i < entries->elements; ++i) {
    const redisReply* e = entries->element[i];
    if (!e || e->type != REDIS_REPLY_ARRAY || e->elements < 1) continue;
    StreamEntry entry;
    entry.id = str(e->element[0]);
    const redisReply* fields = e->elements > 1 ? e->element[1] : nullptr;
    if (!fields || fields->type != REDIS_REPLY_ARRAY) {
      entry.gone = true;
    } else {
      for (size_t f = 0; f + 1 < fields->elements; f += 2)
        entry.fields.emplace_back(str(fields->element[f]), str(fields->element[f + 1]));
    }
    out.push_back(std::move(entry));
  }
  return out;
}

StreamConsumer::StreamConsumer(Host host, const RedisSettings& settings, RedisMetrics& metrics,
                               ReadyQueue& ready, const std::vector<std::string>& names,
                               uint64_t seq_tag)
    : host_(std::move(host)),
      settings_(settings),
      metrics_(metrics),
      ready_(ready),
      next_seq_(first_seq(seq_tag)) {
  for (const auto& name : names) streams_.push_back({name, settings_.dead_letter_for(name), {}});
}

size_t StreamConsumer::room() const {
  size_t max = static_cast<size_t>(settings_.max_in_flight);
  return in_flight_.size() >= max ? 0 : max - in_flight_.size();
}

StreamConsumer::Clock::time_point StreamConsumer::deadline(Clock::time_point now) const {
  return now + std::chrono::milliseconds(settings_.command_timeout_ms);
}

void StreamConsumer::set_problem(std::string text) {
  if (!text.empty() && text != problem_) host_.logf(LogLevel::kError, "%s", text.c_str());
  problem_ = std::move(text);
}

void StreamConsumer::on_disconnected() {
  ++epoch_;
  group_ready_ = false;
  creating_ = false;
  reading_ = false;
  recovering_ = false;
}

void StreamConsumer::on_connected(RedisLink& cmd, Clock::time_point now) {
  if (streams_.empty()) return;
  group_ready_ = false;
  next_recovery_ = now;
  pass_ = first_connect_ ? Pass::kOwn : Pass::kIdle;
  first_connect_ = false;
  if (!settings_.create_group) {
    group_ready_ = true;
    return;
  }
  create_groups(cmd, now);
}

void StreamConsumer::create_groups(RedisLink& cmd, Clock::time_point now) {
  creating_ = true;
  auto left = std::make_shared<size_t>(streams_.size());
  uint64_t epoch = epoch_;
  for (const auto& s : streams_) {
    std::string name = s.name;
    cmd.command(
        {"XGROUP", "CREATE", s.name, settings_.group, settings_.group_start_id, "MKSTREAM"},
        [this, left, epoch, name](redisReply* r) {
          if (epoch != epoch_ || !r) return;
          if (is_error(r) && error_kind(r) != "BUSYGROUP") {
            metrics_.count_error(error_kind(r));
            set_problem("XGROUP CREATE " + name + " " + settings_.group + ": " + str(r));
          }
          if (--*left == 0) {
            group_ready_ = true;
            creating_ = false;
          }
        },
        deadline(now));
    metrics_.commands.add();
  }
}

void StreamConsumer::poll(RedisLink& cmd, RedisLink& block, Clock::time_point now, bool consuming) {
  if (!group_ready_) {
    // The stream or its group went away (NOGROUP): create them again.
    if (settings_.create_group && !creating_ && cmd.connected() && now >= next_read_)
      create_groups(cmd, now);
    return;
  }
  if (!consuming) return;
  if (!recovering_ && now >= next_recovery_ && room() > 0) {
    recovering_ = true;
    recover_page(cmd, 0, "-");
  }
  if (reading_ || room() == 0 || !ready_.has_room() || now < next_read_ || !block.connected())
    return;
  int64_t count = std::min<int64_t>(settings_.read_count, static_cast<int64_t>(room()));
  std::vector<std::string> args = {"XREADGROUP",    "GROUP",
                                   settings_.group, settings_.consumer,
                                   "COUNT",         std::to_string(count),
                                   "BLOCK",         std::to_string(settings_.block_ms),
                                   "STREAMS"};
  for (const auto& s : streams_) args.push_back(s.name);
  for (size_t i = 0; i < streams_.size(); ++i) args.emplace_back(">");
  reading_ = true;
  uint64_t epoch = epoch_;
  block.command(
      args,
      [this, epoch](redisReply* r) {
        if (epoch != epoch_ || !r) return;
        reading_ = false;
        if (is_error(r)) {
          metrics_.count_error(error_kind(r));
          set_problem("XREADGROUP: " + str(r));
          next_read_ = Clock::now() + kRetryAfterError;
          if (error_kind(r) == "NOGROUP" && settings_.create_group) group_ready_ = false;
          return;
        }
        if (!problem_.empty()) set_problem("");    // reading works again
        if (r->type != REDIS_REPLY_ARRAY) return;  // nil: BLOCK timed out
        for (size_t i = 0; i < r->elements; ++i) {
          const redisReply* s = r->element[i];
          if (!s || s->type != REDIS_REPLY_ARRAY || s->elements < 2) continue;
          std::string name = str(s->element[0]);
          for (size_t idx = 0; idx < streams_.size(); ++idx)
            if (streams_[idx].name == name) deliver_entries(idx, s->element[1], 1);
        }
      },
      now + std::chrono::milliseconds(settings_.block_ms + settings_.command_timeout_ms));
  metrics_.commands.add();
}

void StreamConsumer::deliver_entries(size_t stream, const redisReply* entries, int64_t deliveries) {
  Stream& s = streams_[stream];
  for (auto& e : parse_entries(entries)) {
    if (e.gone) {  // deleted while pending: nothing to deliver, only to XACK
      to_ack_[stream].push_back(e.id);
      s.tracked.insert(e.id);
      continue;
    }
    if (!s.tracked.insert(e.id).second) continue;  // already with the host
    uint64_t seq = next_seq_++;
    in_flight_[seq] = Entry{stream, e.id};
    MappedEntry m = map_entry(e.fields, settings_.entry_format, settings_.payload_field);
    Ready ready;
    ready.subject = s.name;
    ready.payload = std::move(m.payload);
    ready.headers = std::move(m.headers);
    ready.attributes = {{"id", e.id}, {"deliveries", std::to_string(deliveries)}};
    ready.ack_id = make_ack_id(AckKind::kStream, seq);
    ready_.items.push_back(std::move(ready));
    metrics_.stream_received.add();
  }
}

void StreamConsumer::recover_page(RedisLink& cmd, size_t stream, std::string start) {
  if (stream >= streams_.size()) {
    recovery_done();
    return;
  }
  auto now = Clock::now();
  const Stream& s = streams_[stream];
  std::vector<std::string> args = {"XPENDING", s.name, settings_.group};
  if (pass_ == Pass::kIdle) {
    args.emplace_back("IDLE");
    args.push_back(std::to_string(settings_.claim_idle_ms));
  }
  args.push_back(start);
  args.emplace_back("+");
  args.push_back(std::to_string(kPendingPage));
  if (pass_ == Pass::kOwn) args.push_back(settings_.consumer);
  uint64_t epoch = epoch_;
  cmd.command(
      args,
      [this, epoch, stream, &cmd](redisReply* r) {
        if (epoch != epoch_ || !r) return;
        if (is_error(r) || r->type != REDIS_REPLY_ARRAY) {
          if (is_error(r)) {
            metrics_.count_error(error_kind(r));
            set_problem("XPENDING " + streams_[stream].name + ": " + str(r));
          }
          recover_page(cmd, stream + 1, "-");
          return;
        }
        Stream& s = streams_[stream];
        std::vector<std::string> claim;
        std::string last;
        size_t budget = room();
        for (size_t i = 0; i < r->elements; ++i) {
          const redisReply* p = r->element[i];
          if (!p || p->type != REDIS_REPLY_ARRAY || p->elements < 4) continue;
          std::string id = str(p->element[0]);
          int64_t deliveries = p->element[3]->integer;
          last = id;
          if (s.tracked.contains(id)) continue;  // with the host now, or its XACK on the way
          if (settings_.max_deliveries > 0 && deliveries >= settings_.max_deliveries) {
            dead_letter(cmd, stream, id, deliveries);
            continue;
          }
          if (claim.size() < budget) claim.push_back(id);
        }
        auto now = Clock::now();
        if (!claim.empty()) {
          std::vector<std::string> args = {
              "XCLAIM", s.name, settings_.group, settings_.consumer,
              pass_ == Pass::kOwn ? "0" : std::to_string(settings_.claim_idle_ms)};
          args.insert(args.end(), claim.begin(), claim.end());
          uint64_t epoch2 = epoch_;
          cmd.command(
              args,
              [this, epoch2, stream](redisReply* c) {
                if (epoch2 != epoch_ || !c) return;
                if (is_error(c)) {
                  metrics_.count_error(error_kind(c));
                  set_problem("XCLAIM " + streams_[stream].name + ": " + str(c));
                  return;
                }
                size_t before = in_flight_.size();
                deliver_entries(stream, c, 0);
                metrics_.claimed.add(static_cast<double>(in_flight_.size() - before));
              },
              deadline(now));
          metrics_.commands.add();
        }
        bool full_page = r->elements >= static_cast<size_t>(kPendingPage);
        if (full_page && claim.size() < budget && !last.empty())
          recover_page(cmd, stream, "(" + last);
        else
          recover_page(cmd, stream + 1, "-");
      },
      deadline(now));
  metrics_.commands.add();
}

void StreamConsumer::recovery_done() {
  if (pass_ == Pass::kOwn) {  // then the entries other consumers left idle
    pass_ = Pass::kIdle;
    recovering_ = false;
    next_recovery_ = Clock::now();
    return;
  }
  recovering_ = false;
  next_recovery_ = Clock::now() + std::chrono::milliseconds(settings_.claim_interval_ms);
}

void StreamConsumer::dead_letter(RedisLink& cmd, size_t stream, const std::string& id,
                                 int64_t deliveries) {
  Stream& s = streams_[stream];
  s.tracked.insert(id);  // until its XACK: not claimed twice meanwhile
  auto now = Clock::now();
  uint64_t epoch = epoch_;
  // Own it first (XCLAIM checks the idle time again: only one node moves it).
  cmd.command(
      {"XCLAIM", s.name, settings_.group, settings_.consumer,
       std::to_string(pass_ == Pass::kOwn ? 0 : settings_.claim_idle_ms), id},
      [this, epoch, stream, id, deliveries, &cmd](redisReply* r) {
        if (epoch != epoch_ || !r) return;
        Stream& s = streams_[stream];
        auto entries = parse_entries(r);
        if (is_error(r) || entries.empty()) {  // taken by another node meanwhile
          s.tracked.erase(id);
          return;
        }
        std::vector<std::string> args = {"XADD", s.dead_letter, "*"};
        for (auto& [f, v] : entries[0].fields) {
          args.push_back(f);
          args.push_back(v);
        }
        args.insert(args.end(), {"sluice-source-stream", s.name, "sluice-source-id", id,
                                 "sluice-deliveries", std::to_string(deliveries)});
        uint64_t epoch2 = epoch_;
        cmd.command(
            args,
            [this, epoch2, stream, id](redisReply* a) {
              if (epoch2 != epoch_ || !a) return;
              if (is_error(a)) {
                metrics_.count_error(error_kind(a));
                set_problem("XADD to dead-letter stream " + streams_[stream].dead_letter + ": " +
                            str(a));
                streams_[stream].tracked.erase(id);
                return;
              }
              metrics_.dead_lettered.add();
              host_.logf(
                  LogLevel::kWarn, "stream %s entry %s moved to %s after too many deliveries",
                  streams_[stream].name.c_str(), id.c_str(), streams_[stream].dead_letter.c_str());
              to_ack_[stream].push_back(id);
            },
            deadline(Clock::now()));
        metrics_.commands.add();
      },
      deadline(now));
  metrics_.commands.add();
}

void StreamConsumer::ack(uint64_t seq, Outcome outcome) {
  auto it = in_flight_.find(seq);
  if (it == in_flight_.end()) return;
  Entry e = std::move(it->second);
  in_flight_.erase(it);
  if (outcome == Outcome::kAck) {
    to_ack_[e.stream].push_back(std::move(e.id));  // tracked until XACK's reply
  } else {
    streams_[e.stream].tracked.erase(e.id);  // pending in Redis: claimed again once idle
    metrics_.nacked.add();
  }
}

void StreamConsumer::flush_acks(RedisLink& cmd, Clock::time_point now) {
  if (to_ack_.empty() || !cmd.connected()) return;
  for (auto& [stream, ids] : to_ack_) {
    if (ids.empty()) continue;
    std::vector<std::string> args = {"XACK", streams_[stream].name, settings_.group};
    args.insert(args.end(), ids.begin(), ids.end());
    ++acks_outstanding_;
    size_t idx = stream;
    cmd.command(
        args,
        [this, idx, ids](redisReply* r) {
          --acks_outstanding_;
          // Lost with the connection, or the stream's slot moved (a cluster
          // then binds the stream to its new master): again on the next link.
          if (!r || (settings_.cluster && error_kind(r) == "MOVED")) {
            auto& again = to_ack_[idx];
            again.insert(again.end(), ids.begin(), ids.end());
            return;
          }
          if (is_error(r)) {
            metrics_.count_error(error_kind(r));
            set_problem("XACK " + streams_[idx].name + ": " + str(r));
          } else {
            metrics_.acked.add(static_cast<double>(ids.size()));
          }
          for (const auto& id : ids) streams_[idx].tracked.erase(id);
        },
        deadline(now));
    metrics_.commands.add();
  }
  to_ack_.clear();
}

}  // namespace sluice::redis
