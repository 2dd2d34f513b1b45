#include "statistics.hpp"

#include <algorithm>
#include <boost/json.hpp>

namespace sluice::kafka {
namespace {

int64_t int_field(const boost::json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  if (!v) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<int64_t>(v->get_double());
  return 0;
}

std::string string_field(const boost::json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

void read_brokers(const boost::json::object& root, StatisticsSummary& s) {
  const auto* brokers = root.if_contains("brokers");
  if (!brokers || !brokers->is_object()) return;
  double rtt_total = 0;
  for (const auto& [name, value] : brokers->get_object()) {
    if (!value.is_object()) continue;
    const auto& b = value.get_object();
    // "logical" (the group coordinator handle) and "internal" are not
    // connections of their own.
    const std::string source = string_field(b, "source");
    if (source == "logical" || source == "internal") continue;
    ++s.brokers_known;
    if (string_field(b, "state") != "UP") continue;
    ++s.brokers_up;
    if (const auto* rtt = b.if_contains("rtt"); rtt && rtt->is_object())
      rtt_total += static_cast<double>(int_field(rtt->get_object(), "avg")) / 1000.0;
  }
  if (s.brokers_up > 0) s.rtt_ms = rtt_total / s.brokers_up;
}

void read_partitions(const boost::json::object& root, StatisticsSummary& s) {
  const auto* topics = root.if_contains("topics");
  if (!topics || !topics->is_object()) return;
  for (const auto& [topic, tv] : topics->get_object()) {
    if (!tv.is_object()) continue;
    const auto* parts = tv.get_object().if_contains("partitions");
    if (!parts || !parts->is_object()) continue;
    for (const auto& [id, pv] : parts->get_object()) {
      if (!pv.is_object()) continue;
      const auto& p = pv.get_object();
      if (int_field(p, "partition") < 0) continue;  // the "unassigned" pseudo partition
      s.fetch_queue_messages += std::max<int64_t>(0, int_field(p, "fetchq_cnt"));
      const int64_t lag = int_field(p, "consumer_lag");
      if (lag < 0) continue;  // unknown yet
      s.consumer_lag_sum += lag;
      s.consumer_lag_max = std::max(s.consumer_lag_max, lag);
    }
  }
}

}  // namespace

std::optional<StatisticsSummary> parse_statistics(std::string_view json) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(json, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  const auto& root = parsed.get_object();
  StatisticsSummary s;
  read_brokers(root, s);
  read_partitions(root, s);
  s.queue_messages = int_field(root, "msg_cnt");
  s.queue_bytes = int_field(root, "msg_size");
  if (const auto* cgrp = root.if_contains("cgrp"); cgrp && cgrp->is_object()) {
    s.group_state = string_field(cgrp->get_object(), "state");
    s.group_join_state = string_field(cgrp->get_object(), "join_state");
  }
  return s;
}

}  // namespace sluice::kafka
