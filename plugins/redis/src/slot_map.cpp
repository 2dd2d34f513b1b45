// The Redis Cluster slot map (see slot_map.hpp).
#include "slot_map.hpp"

#include <charconv>

namespace sluice::redis {

namespace {

std::string text_of(const redisReply* r) {
  if (r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS))
    return std::string(r->str, r->len);
  return {};
}

// "host:port", bracketing an IPv6 host so the port stays apart.
std::string address_of(const std::string& host, long long port) {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

bool SlotMap::assign(const redisReply* r, std::string& error) {
  if (!r || r->type != REDIS_REPLY_ARRAY) {
    error = "CLUSTER SLOTS answered no slot table";
    return false;
  }
  SlotMap next;
  size_t covered = 0;
  for (size_t i = 0; i < r->elements; ++i) {
    const redisReply* range = r->element[i];
    // [start, end, [host, port, id, ...] (the master), replicas...]
    if (!range || range->type != REDIS_REPLY_ARRAY || range->elements < 3 ||
        range->element[0]->type != REDIS_REPLY_INTEGER ||
        range->element[1]->type != REDIS_REPLY_INTEGER)
      continue;
    const redisReply* master = range->element[2];
    if (!master || master->type != REDIS_REPLY_ARRAY || master->elements < 2 ||
        master->element[1]->type != REDIS_REPLY_INTEGER)
      continue;
    long long first = range->element[0]->integer, last = range->element[1]->integer;
    if (first < 0 || last >= kClusterSlots || first > last) continue;
    std::string host = text_of(master->element[0]);
    if (host.empty()) continue;  // "?" or "" : the master's address is not known yet
    uint16_t index = next.index_of(address_of(host, master->element[1]->integer));
    for (long long s = first; s <= last; ++s) next.owner_[s] = index;
    covered += static_cast<size_t>(last - first + 1);
  }
  if (next.masters_.empty()) {
    error = "CLUSTER SLOTS names no master (is the cluster created? redis-cli --cluster create)";
    return false;
  }
  if (covered < kClusterSlots) {
    error = "CLUSTER SLOTS leaves " + std::to_string(kClusterSlots - covered) +
            " slots without a master (cluster_state is not ok)";
    return false;
  }
  *this = std::move(next);
  return true;
}

void SlotMap::move(uint16_t slot, const std::string& address) {
  if (slot < kClusterSlots) owner_[slot] = index_of(address);
}

const std::string& SlotMap::owner(uint16_t slot) const {
  static const std::string kNobody;
  if (slot >= kClusterSlots || owner_[slot] == 0) return kNobody;
  return masters_[owner_[slot] - 1];
}

uint16_t SlotMap::index_of(const std::string& address) {
  for (size_t i = 0; i < masters_.size(); ++i)
    if (masters_[i] == address) return static_cast<uint16_t>(i + 1);
  masters_.push_back(address);
  return static_cast<uint16_t>(masters_.size());
}

std::optional<Redirect> parse_redirect(std::string_view text) {
  Redirect out;
  if (text.starts_with("MOVED "))
    text.remove_prefix(6);
  else if (text.starts_with("ASK "))
    text.remove_prefix(4), out.ask = true;
  else
    return std::nullopt;
  size_t space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  unsigned slot = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + space, slot);
  if (ec != std::errc() || ptr != text.data() + space || slot >= kClusterSlots) return std::nullopt;
  out.slot = static_cast<uint16_t>(slot);
  out.address = std::string(text.substr(space + 1));
  // Redis 7 leaves the host out (":6381") when the node has none to
  // announce: the caller then takes the replying node's host.
  if (out.address.find(':') == std::string::npos) return std::nullopt;
  return out;
}

std::optional<Redirect> parse_redirect(const redisReply* reply) {
  if (!reply || reply->type != REDIS_REPLY_ERROR) return std::nullopt;
  return parse_redirect(std::string_view(reply->str, reply->len));
}

}  // namespace sluice::redis
