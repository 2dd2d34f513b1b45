// The Redis plugin's settings table and how it is read (see redis_settings.hpp).
#include "redis_settings.hpp"

#include <hiredis/hiredis.h>

#include "key_slot.hpp"
#include "sentinel.hpp"

namespace sluice::redis {

const SettingsTable<RedisSettings>& settings_spec() {
  using O = RedisSettings;
  static const SettingsTable<O> table{
      field(&O::url, "url")
          .def("redis://127.0.0.1:6379/0")
          .doc("server: `redis://[user:password@]host[:port][/db]` or "
               "`unix:/path/redis.sock[?db=N]`; `rediss://` (TLS) needs hiredis >= 1.0"),
      field(&O::user, "user").def("").doc("ACL user (AUTH user password); empty = the URL's"),
      field(&O::password, "password").def("").hide().doc("password; empty = the URL's (no AUTH)"),
      field(&O::db, "db")
          .def(-1)
          .min(-1)
          .max(65535)
          .doc("database number (SELECT); -1 = the URL's (else 0)"),
      field(&O::client_name, "client_name")
          .def("sluice-${node_id}")
          .doc("CLIENT SETNAME on every connection (`${node_id}` expands); empty = none"),
      field(&O::connect_timeout_ms, "connect_timeout_ms")
          .def(5000)
          .min(1)
          .doc("timeout of one connection attempt (TCP and the AUTH/SELECT handshake)"),
      field(&O::command_timeout_ms, "command_timeout_ms")
          .def(5000)
          .min(1)
          .doc("a command without a reply after this long fails and the connection is "
               "re-established (blocking reads: `block_ms` plus this)"),
      common::reconnect_settings(&O::reconnect),
      field(&O::sentinels, "sentinels")
          .def(std::vector<std::string>())
          .doc("Redis Sentinel addresses (`host:port`, default port 26379): the master of "
               "`master_name` is asked from them at every (re)connect, which follows a "
               "failover; `url` then gives only user, password and db"),
      field(&O::master_name, "master_name").def("").doc("the master's name in Sentinel"),
      field(&O::sentinel_password, "sentinel_password")
          .def("")
          .hide()
          .doc("password of the sentinels (AUTH); empty = none"),
      field(&O::cluster, "cluster")
          .def(false)
          .doc("Redis Cluster: the slot map is read from `url`'s node (or a `cluster_seeds` "
               "node) and each key goes to the master of its slot, MOVED/ASK followed (see "
               "Cluster); `url` then gives the first seed, user and password"),
      field(&O::cluster_seeds, "cluster_seeds")
          .def(std::vector<std::string>())
          .doc("more cluster nodes (`host:port`, default port 6379) asked for the slot map when "
               "`url`'s node does not answer"),
      field(&O::channels, "channels")
          .def(std::vector<std::string>())
          .doc("pub/sub channels to SUBSCRIBE (source, at-most-once); the channel is the subject; "
               "`${node_id}` expands here and in the other name lists"),
      field(&O::patterns, "patterns")
          .def(std::vector<std::string>())
          .doc("pub/sub patterns to PSUBSCRIBE, Redis glob syntax (`news.*`, `h?llo`, `[ab]*`)"),
      field(&O::requests, "requests")
          .def(std::vector<std::string>())
          .doc("pub/sub channels whose messages are requests in the JSON envelope (see "
               "Request/reply), answered through `sluice.on_request` or `control_subject`"),
      field(&O::request_timeout_ms, "request_timeout_ms")
          .def(5000)
          .min(1)
          .doc("timeout of a request sent through this connector when the caller gives none"),
      field(&O::streams, "streams")
          .def(std::vector<std::string>())
          .doc("streams to read with XREADGROUP in `group` (source, at-least-once); the stream "
               "is the subject"),
      field(&O::group, "group").def("sluice").doc("consumer group of the streams"),
      field(&O::consumer, "consumer")
          .def("${node_id}")
          .doc("consumer name in the group (`${node_id}` expands); keep it stable across "
               "restarts so a restarted node takes its own pending entries back at once"),
      field(&O::create_group, "create_group")
          .def(true)
          .doc("XGROUP CREATE ... MKSTREAM at start (an existing group is kept)"),
      field(&O::group_start_id, "group_start_id")
          .def("$")
          .doc("where a newly created group starts: `$` (new entries only) or `0` (all)"),
      field(&O::read_count, "read_count")
          .def(100)
          .min(1)
          .max(100000)
          .doc("entries per XREADGROUP / list moves per round trip"),
      field(&O::block_ms, "block_ms")
          .def(1000)
          .min(1)
          .max(60000)
          .doc("how long one blocking read (XREADGROUP BLOCK, BLMOVE, BRPOP) waits"),
      field(&O::claim_idle_ms, "claim_idle_ms")
          .def(30000)
          .min(1)
          .doc("a pending entry idle this long (its consumer crashed or nacked it) is claimed "
               "by this consumer and delivered again"),
      field(&O::claim_interval_ms, "claim_interval_ms")
          .def(5000)
          .min(10)
          .doc("how often pending entries are looked for (and once at start)"),
      field(&O::max_deliveries, "max_deliveries")
          .def(0)
          .min(0)
          .doc("an entry delivered this many times is moved to the dead-letter stream "
               "instead of being claimed again; 0 = no limit"),
      field(&O::dead_letter_stream, "dead_letter_stream")
          .def("${stream}:dead")
          .doc("where poison entries go (`${stream}` expands), with the fields of the entry "
               "plus `sluice-source-id` and `sluice-deliveries`"),
      choice(&O::entry_format, "entry_format",
             {{"fields", EntryFormat::kFields}, {"json", EntryFormat::kJson}})
          .def("fields")
          .doc("stream entry -> message: `fields` (the `payload_field` is the payload, every "
               "other field a header) or `json` (the whole entry as one JSON object)"),
      field(&O::payload_field, "payload_field")
          .def("payload")
          .doc("the field that holds the payload (reading with `entry_format: fields`, and "
               "writing with XADD/HSET)"),
      field(&O::lists, "lists")
          .def(std::vector<std::string>())
          .doc("lists to consume as queues (source); producers LPUSH, sluice takes from the "
               "right (FIFO)"),
      choice(&O::list_mode, "list_mode",
             {{"reliable", ListMode::kReliable}, {"at_most_once", ListMode::kAtMostOnce}})
          .def("reliable")
          .doc("`reliable`: LMOVE/BLMOVE into a processing list, LREM once acked, recovered at "
               "start (at-least-once); `at_most_once`: BRPOP"),
      field(&O::processing_list, "processing_list")
          .def("${list}:processing:${consumer}")
          .doc("per-consumer processing list (`${list}`, `${consumer}` expand)"),
      field(&O::max_in_flight, "max_in_flight")
          .def(1000)
          .min(1)
          .doc("stream and list entries emitted and not yet acked; reading pauses beyond it"),
      field(&O::max_buffered, "max_buffered")
          .def(10000)
          .min(1)
          .doc("messages read and waiting for room in sluice; reading (also pub/sub, where "
               "Redis then buffers) pauses beyond it"),
      choice(&O::sink, "sink",
             {{"publish", SinkMode::kPublish},
              {"xadd", SinkMode::kXadd},
              {"lpush", SinkMode::kLpush},
              {"rpush", SinkMode::kRpush},
              {"set", SinkMode::kSet},
              {"hset", SinkMode::kHset}})
          .def("publish")
          .doc("what a publish to this connector does with the message's subject (channel, "
               "stream, list or key): PUBLISH, XADD, LPUSH, RPUSH, SET or HSET"),
      field(&O::target, "target")
          .def("")
          .doc("channel/stream/list/key for a message without subject (`${node_id}` expands)"),
      field(&O::stream_maxlen, "stream_maxlen")
          .def(0)
          .min(0)
          .doc("XADD trims with `MAXLEN ~ n`; 0 = no length trimming"),
      field(&O::stream_max_age_ms, "stream_max_age_ms")
          .def(0)
          .min(0)
          .doc("XADD trims with `MINID ~ <now - age>`; 0 = no age trimming"),
      field(&O::ttl_ms, "ttl_ms").def(0).min(0).doc("SET ... PX ttl; 0 = no expiry"),
      field(&O::max_pending_commands, "max_pending_commands")
          .def(65536)
          .min(1)
          .doc("publishes queued or awaiting their reply; beyond it publish reports busy"),
      field(&O::drain_timeout_ms, "drain_timeout_ms")
          .def(5000)
          .min(1)
          .doc("on shutdown, how long pending publishes and acks may take"),
  };
  return table;
}

std::string expand(std::string_view text, std::string_view name, std::string_view value) {
  std::string var = "${" + std::string(name) + "}";
  std::string out;
  size_t pos = 0;
  for (size_t hit; (hit = text.find(var, pos)) != std::string_view::npos; pos = hit + var.size())
    out.append(text.substr(pos, hit - pos)).append(value);
  out.append(text.substr(pos));
  return out;
}

namespace {

// Combinations that cannot work against a cluster, refused before connecting.
void validate_cluster(const RedisSettings& s, const RedisEndpoint& url,
                      std::vector<std::string>& errors) {
  for (const auto& address : s.cluster_seeds) {
    RedisEndpoint seed;
    if (auto problem = parse_host_port(address, 6379, seed))
      errors.push_back("setting 'cluster_seeds': " + *problem);
  }
  if (!s.cluster) {
    if (!s.cluster_seeds.empty()) errors.push_back("setting 'cluster_seeds' needs 'cluster: true'");
    return;
  }
  if (!s.sentinels.empty())
    errors.push_back(
        "setting 'cluster': a cluster is found through its nodes, not through 'sentinels' "
        "(Cluster fails over by itself): set one of them");
  if (s.db > 0 || (s.db < 0 && url.db.value_or(0) != 0))
    errors.push_back("setting 'db': Redis Cluster has only database 0 (the URL's path or 'db' is " +
                     std::to_string(s.db > 0 ? s.db : url.db.value_or(0)) + ")");
  if (!url.unix_path.empty())
    errors.push_back(
        "setting 'url': a cluster's nodes are found by host and port; a unix socket cannot "
        "seed a cluster");
  if (s.list_mode == ListMode::kReliable) {
    // LMOVE takes both keys: in a cluster they must share a slot.
    RedisSettings named = s.resolved("node");
    for (const auto& list : named.lists) {
      std::string processing = named.processing_for(list);
      if (key_slot(list) != key_slot(processing))
        errors.push_back("setting 'lists': with 'cluster', list '" + list +
                         "' and its processing list '" + processing +
                         "' hash to different slots (LMOVE needs both on one node): put the "
                         "list's name in a hash tag, e.g. '{" +
                         list +
                         "}', which `${list}` in "
                         "'processing_list' carries along");
    }
  }
}

}  // namespace

void validate_settings(const RedisSettings& s, std::vector<std::string>& errors) {
  RedisEndpoint ep;
  if (auto problem = parse_redis_url(s.url, ep)) {
    errors.push_back("setting 'url': " + *problem);
  } else if (ep.tls) {
#if defined(HIREDIS_MAJOR) && HIREDIS_MAJOR >= 1
    errors.push_back("setting 'url': rediss:// is not wired up yet in this build");
#else
    errors.push_back("setting 'url': rediss:// (TLS) needs hiredis >= 1.0; this build has " +
                     std::to_string(HIREDIS_MAJOR) + "." + std::to_string(HIREDIS_MINOR) +
                     ": use a local stunnel or spiped and redis://127.0.0.1:<its port>");
#endif
  }
  for (const auto& address : s.sentinels) {
    RedisEndpoint sentinel;
    if (auto problem = parse_sentinel_address(address, sentinel))
      errors.push_back("setting 'sentinels': " + *problem);
  }
  if (!s.sentinels.empty() && s.master_name.empty())
    errors.push_back("setting 'master_name' must name the master with 'sentinels'");
  if (s.sentinels.empty() && !s.master_name.empty())
    errors.push_back("setting 'master_name' needs 'sentinels' to ask");
  validate_cluster(s, ep, errors);
  common::check_reconnect_settings(s.reconnect, errors);
  auto no_empty = [&](const std::vector<std::string>& names, const char* key) {
    for (const auto& n : names)
      if (n.empty()) errors.push_back("setting '" + std::string(key) + "': a name is empty");
  };
  no_empty(s.channels, "channels");
  no_empty(s.patterns, "patterns");
  no_empty(s.requests, "requests");
  no_empty(s.streams, "streams");
  no_empty(s.lists, "lists");
  if (!s.streams.empty()) {
    if (s.group.empty()) errors.push_back("setting 'group' must not be empty with 'streams'");
    if (s.consumer.empty()) errors.push_back("setting 'consumer' must not be empty with 'streams'");
    if (s.group_start_id.empty())
      errors.push_back("setting 'group_start_id' must be `$`, `0` or a stream id");
    if (s.max_deliveries > 0 && s.dead_letter_stream.empty())
      errors.push_back("setting 'dead_letter_stream' must name a stream with 'max_deliveries'");
    if (s.entry_format == EntryFormat::kFields && s.payload_field.empty())
      errors.push_back("setting 'payload_field' must not be empty");
  }
  if (!s.lists.empty() && s.list_mode == ListMode::kReliable) {
    if (s.processing_list.find("${list}") == std::string::npos)
      errors.push_back(
          "setting 'processing_list' must contain ${list}: each list needs its own processing "
          "list");
  }
  if (s.stream_maxlen > 0 && s.stream_max_age_ms > 0)
    errors.push_back(
        "settings 'stream_maxlen' and 'stream_max_age_ms': XADD trims by one of "
        "them, not both");
}

RedisSettings RedisSettings::resolved(std::string_view node_id) const {
  RedisSettings s = *this;
  parse_redis_url(url, s.endpoint);
  if (!user.empty()) s.endpoint.user = user;
  if (!password.empty()) s.endpoint.password = password;
  if (db >= 0) s.endpoint.db = db;
  s.client_name = expand(client_name, "node_id", node_id);
  s.consumer = expand(consumer, "node_id", node_id);
  s.target = expand(target, "node_id", node_id);
  for (auto* names : {&s.channels, &s.patterns, &s.requests, &s.streams, &s.lists})
    for (auto& n : *names) n = expand(n, "node_id", node_id);
  return s;
}

std::string RedisSettings::dead_letter_for(std::string_view stream) const {
  return expand(dead_letter_stream, "stream", stream);
}

std::string RedisSettings::processing_for(std::string_view list) const {
  return expand(expand(processing_list, "list", list), "consumer", consumer);
}

}  // namespace sluice::redis
