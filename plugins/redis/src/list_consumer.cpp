// Lists as queues (see list_consumer.hpp).
#include "list_consumer.hpp"

#include <algorithm>
#include <cstdio>

namespace sluice::redis {

namespace {

const auto kRetryAfterError = std::chrono::milliseconds(1000);

std::string str(const redisReply* r) {
  if (r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
            r->type == REDIS_REPLY_ERROR))
    return std::string(r->str, r->len);
  return {};
}

}  // namespace

ListConsumer::ListConsumer(Host host, const RedisSettings& settings, RedisMetrics& metrics,
                           ReadyQueue& ready, const std::vector<std::string>& names,
                           uint64_t seq_tag)
    : host_(std::move(host)),
      settings_(settings),
      metrics_(metrics),
      ready_(ready),
      reliable_(settings.list_mode == ListMode::kReliable),
      next_seq_(first_seq(seq_tag)) {
  for (const auto& name : names) {
    List l;
    l.name = name;
    l.processing = settings_.processing_for(name);
    lists_.push_back(std::move(l));
  }
}

size_t ListConsumer::room() const {
  size_t max = static_cast<size_t>(settings_.max_in_flight);
  return in_flight_.size() >= max ? 0 : max - in_flight_.size();
}

void ListConsumer::set_problem(std::string text) {
  if (!text.empty() && text != problem_) host_.logf(LogLevel::kError, "%s", text.c_str());
  problem_ = std::move(text);
}

void ListConsumer::on_disconnected() {
  ++epoch_;
  for (auto& l : lists_) {
    l.reading = false;
    l.drained = false;
  }
}

void ListConsumer::deliver(size_t list, std::string value) {
  if (!problem_.empty()) problem_.clear();  // reading works again
  Ready ready;
  ready.subject = lists_[list].name;
  ready.payload = std::move(value);
  if (reliable_) {
    uint64_t seq = next_seq_++;
    in_flight_[seq] = Item{list, ready.payload};
    ready.ack_id = make_ack_id(AckKind::kList, seq);
  }
  ready_.items.push_back(std::move(ready));
  metrics_.list_received.add();
}

void ListConsumer::on_connected(RedisLink& cmd, Clock::time_point now) {
  if (!reliable_) return;
  for (size_t i = 0; i < lists_.size(); ++i) {
    if (lists_[i].recovered) continue;
    lists_[i].reading = true;  // no new items before the leftovers are back
    uint64_t epoch = epoch_;
    cmd.command(
        {"LRANGE", lists_[i].processing, "0", "-1"},
        [this, epoch, i](redisReply* r) {
          if (epoch != epoch_ || !r) return;
          lists_[i].reading = false;
          if (r->type == REDIS_REPLY_ERROR) {
            metrics_.count_error(error_kind(r));
            set_problem("LRANGE " + lists_[i].processing + ": " + str(r));
            return;
          }
          lists_[i].recovered = true;
          if (r->type != REDIS_REPLY_ARRAY || r->elements == 0) return;
          host_.logf(LogLevel::kInfo, "list %s: %zu items left in %s by an earlier run: again",
                     lists_[i].name.c_str(), r->elements, lists_[i].processing.c_str());
          // LMOVE pushed each to the left: the oldest is on the right.
          for (size_t k = r->elements; k-- > 0;) deliver(i, str(r->element[k]));
        },
        now + std::chrono::milliseconds(settings_.command_timeout_ms));
    metrics_.commands.add();
  }
}

void ListConsumer::poll(size_t index, RedisLink& block, Clock::time_point now, bool consuming) {
  List& l = lists_[index];
  if (!consuming || l.reading || !block.connected() || now < l.next_read) return;
  if (reliable_ && (!l.recovered || room() == 0)) return;
  if (!ready_.has_room()) return;
  uint64_t epoch = epoch_;
  auto block_deadline =
      now + std::chrono::milliseconds(settings_.block_ms + settings_.command_timeout_ms);
  auto on_error = [this, index](redisReply* r, const char* what) {
    metrics_.count_error(error_kind(r));
    set_problem(std::string(what) + " " + lists_[index].name + ": " + str(r));
    lists_[index].next_read = Clock::now() + kRetryAfterError;
  };
  char timeout[32];
  std::snprintf(timeout, sizeof timeout, "%.3f", static_cast<double>(settings_.block_ms) / 1000.0);
  l.reading = true;
  if (l.drained) {  // wait for the next item
    std::vector<std::string> args =
        reliable_
            ? std::vector<std::string>{"BLMOVE", l.name, l.processing, "RIGHT", "LEFT", timeout}
            : std::vector<std::string>{"BRPOP", l.name, timeout};
    block.command(
        args,
        [this, epoch, index, on_error](redisReply* r) {
          if (epoch != epoch_ || !r) return;
          List& l = lists_[index];
          l.reading = false;
          if (r->type == REDIS_REPLY_ERROR) return on_error(r, reliable_ ? "BLMOVE" : "BRPOP");
          if (r->type == REDIS_REPLY_NIL) return;  // timed out: block again
          l.drained = false;
          if (reliable_)
            deliver(index, str(r));
          else if (r->type == REDIS_REPLY_ARRAY && r->elements == 2)
            deliver(index, str(r->element[1]));
        },
        block_deadline);
    metrics_.commands.add();
    return;
  }
  size_t batch = std::min<size_t>(static_cast<size_t>(settings_.read_count),
                                  reliable_ ? room() : static_cast<size_t>(settings_.read_count));
  auto deadline = now + std::chrono::milliseconds(settings_.command_timeout_ms);
  if (!reliable_) {
    block.command(
        {"RPOP", l.name, std::to_string(batch)},
        [this, epoch, index, on_error](redisReply* r) {
          if (epoch != epoch_ || !r) return;
          List& l = lists_[index];
          l.reading = false;
          if (r->type == REDIS_REPLY_ERROR) return on_error(r, "RPOP");
          if (r->type != REDIS_REPLY_ARRAY) {
            l.drained = true;
            return;
          }
          for (size_t k = 0; k < r->elements; ++k) deliver(index, str(r->element[k]));
        },
        deadline);
    metrics_.commands.add();
    return;
  }
  auto left = std::make_shared<size_t>(batch);
  for (size_t k = 0; k < batch; ++k) {
    block.command(
        {"LMOVE", l.name, l.processing, "RIGHT", "LEFT"},
        [this, epoch, index, left, on_error](redisReply* r) {
          if (epoch != epoch_ || !r) return;
          List& l = lists_[index];
          if (r->type == REDIS_REPLY_ERROR) {
            on_error(r, "LMOVE");
          } else if (r->type == REDIS_REPLY_NIL) {
            l.drained = true;
          } else {
            deliver(index, str(r));
          }
          if (--*left == 0) l.reading = false;
        },
        deadline);
    metrics_.commands.add();
  }
}

void ListConsumer::ack(uint64_t seq, Outcome outcome) {
  auto it = in_flight_.find(seq);
  if (it == in_flight_.end()) return;
  Item item = std::move(it->second);
  in_flight_.erase(it);
  item.outcome = outcome;
  to_send_.push_back(std::move(item));
}

void ListConsumer::flush_acks(RedisLink& cmd, Clock::time_point now) {
  if (to_send_.empty() || !cmd.connected()) return;
  auto deadline = now + std::chrono::milliseconds(settings_.command_timeout_ms);
  std::vector<Item> items;
  items.swap(to_send_);
  for (auto& item : items) {
    const List& l = lists_[item.list];
    if (item.outcome == Outcome::kNack) {
      // Back to the far end of the list (after everything waiting), then
      // out of the processing list: a crash between the two duplicates it.
      cmd.command({"LPUSH", l.name, item.value}, nullptr, deadline);
      metrics_.commands.add();
      metrics_.nacked.add();
    }
    ++acks_outstanding_;
    auto shared = std::make_shared<Item>(item);
    cmd.command(
        {"LREM", l.processing, "1", item.value},
        [this, shared](redisReply* r) {
          --acks_outstanding_;
          // Lost with the connection, or the list's slot moved (a cluster then
          // binds the list to its new master): again on the next link.
          if (!r || (settings_.cluster && error_kind(r) == "MOVED")) {
            // a nack repeats its LPUSH: a duplicate rather than a loss
            to_send_.push_back(*shared);
            return;
          }
          if (r->type == REDIS_REPLY_ERROR) {
            metrics_.count_error(error_kind(r));
            set_problem("LREM " + lists_[shared->list].processing + ": " + str(r));
          } else if (shared->outcome == Outcome::kAck) {
            metrics_.acked.add();
          }
        },
        deadline);
    metrics_.commands.add();
  }
}

}  // namespace sluice::redis
