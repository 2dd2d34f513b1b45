// The MQTT plugin's settings tables and how they are read (see mqtt_settings.hpp).
#include "mqtt_settings.hpp"

#include <filesystem>
#include <optional>

namespace sluice::mqtt {

const SettingsTable<MqttSettings>& settings_spec() {
  using O = MqttSettings;
  static const SettingsTable<O> table{
      field(&O::urls, "url")
          .def("tcp://127.0.0.1:1883")
          .doc("broker URL `tcp://`, `ssl://`, `ws://` or `wss://` `host:port`, or a list of "
               "them tried in turn (failover); `ssl://`/`wss://` use TLS"),
      field(&O::client_id, "client_id")
          .def("sluice-${node_id}-${connector}")
          .doc("MQTT client identifier (`${node_id}` and `${connector}` expand); a persistent "
               "session belongs to it, so keep it stable and unique per instance"),
      choice(&O::protocol, "protocol", {{"3.1.1", Protocol::kV311}, {"5", Protocol::kV5}})
          .def("5")
          .doc("MQTT protocol version; properties, request/response and session expiry need `5`"),
      field(&O::username, "username").def("").doc("user name; empty = anonymous"),
      field(&O::password, "password").def("").hide().doc("password"),
      field(&O::tls_mapping, "tls")
          .def(boost::json::object())
          .doc("TLS options, keys in the TLS table below (implied by an `ssl://` URL)"),
      field(&O::keep_alive_s, "keep_alive")
          .def(30)
          .min(1)
          .max(65535)
          .doc("keep-alive interval in seconds; the broker drops a client silent for 1.5 times it"),
      field(&O::clean_session, "clean_session")
          .def(false)
          .doc("start a fresh session on every connect (v5: clean start); false keeps the "
               "session, its subscriptions and the QoS 1/2 messages queued while away"),
      field(&O::session_expiry_s, "session_expiry")
          .def(3600)
          .min(0)
          .max(4294967295.0)
          .doc("v5: seconds the broker keeps the session after a disconnect (0 = ends with the "
               "connection)"),
      field(&O::connect_timeout_ms, "connect_timeout_ms")
          .def(5000)
          .min(1000)
          .doc("timeout of one connection attempt (TCP, TLS, CONNACK), whole seconds"),
      common::reconnect_settings(&O::reconnect),
      field(&O::will_topic, "will_topic")
          .def("")
          .doc("last will topic, published by the broker when sluice vanishes (`${node_id}` "
               "expands); empty = no will"),
      field(&O::will_payload, "will_payload").def("offline").doc("last will payload"),
      field(&O::will_qos, "will_qos").def(1).min(0).max(2).doc("last will QoS"),
      field(&O::will_retain, "will_retain").def(true).doc("last will retained"),
      field(&O::birth_topic, "birth_topic")
          .def("")
          .doc("topic published on every connect (`${node_id}` expands); empty = none"),
      field(&O::birth_payload, "birth_payload").def("online").doc("birth message payload"),
      field(&O::birth_qos, "birth_qos").def(1).min(0).max(2).doc("birth message QoS"),
      field(&O::birth_retain, "birth_retain").def(true).doc("birth message retained"),
      field(&O::subscriptions_value, "subscriptions")
          .def(boost::json::value(boost::json::array()))
          .doc("topic filters to consume: a list of mappings (keys in the subscription table "
               "below) or of filters; routes' `from = \"<connector>:<filter>\"` add theirs at "
               "`qos`"),
      field(&O::qos, "qos")
          .def(1)
          .min(0)
          .max(2)
          .doc("QoS of route subscriptions and of publishes whose `mqtt-qos` header does not "
               "say otherwise"),
      field(&O::accept_wait_ms, "accept_wait_ms")
          .def(100)
          .min(1)
          .max(10000)
          .doc("how long paho's delivery thread waits for room in sluice before it backs off "
               "(the message stays with paho and is offered again); keep it well below "
               "`keep_alive`"),
      field(&O::max_payload_bytes, "max_payload_bytes")
          .def(1048576)
          .min(0)
          .doc("larger incoming messages are not emitted: counted and sent to "
               "`dead_letter_topic` (0 = no limit)"),
      field(&O::dead_letter_topic, "dead_letter_topic")
          .def("")
          .doc("MQTT topic that receives refused incoming messages (oversized), with the "
               "reason in user properties (v5); empty = counted and logged only"),
      field(&O::topic, "topic")
          .def("")
          .doc("topic of a message routed here without a subject (`${node_id}` expands)"),
      field(&O::retain, "retain")
          .def(false)
          .doc("publish retained unless the message's `mqtt-retain` header says otherwise"),
      field(&O::max_inflight, "max_inflight")
          .def(1000)
          .min(1)
          .max(65535)
          .doc("QoS 1/2 publishes awaiting PUBACK/PUBCOMP; beyond it publish reports busy"),
      field(&O::max_buffered, "max_buffered")
          .def(100)
          .min(0)
          .doc("publishes kept while disconnected and sent on reconnect (0 = none: publishes "
               "wait as busy)"),
      choice(&O::buffer_overflow, "buffer_overflow",
             {{"drop_oldest", BufferOverflow::kDropOldest}, {"reject", BufferOverflow::kReject}})
          .def("drop_oldest")
          .doc("a full offline buffer: `drop_oldest` fails the oldest buffered publish "
               "(counted, logged; the route retries or dead-letters it), `reject` reports "
               "busy to the new one"),
      field(&O::publish_timeout_ms, "publish_timeout_ms")
          .def(30000)
          .min(1)
          .doc("how long a publish may wait (buffered, or for its PUBACK/PUBCOMP) before it "
               "fails and the host retries it"),
      field(&O::response_topic, "response_topic")
          .def("sluice/${node_id}/${connector}/replies")
          .doc("v5: topic this connector subscribes for the replies to its requests"),
      field(&O::request_timeout_ms, "request_timeout_ms")
          .def(5000)
          .min(1)
          .doc("timeout of a request when the route gives none"),
      field(&O::drain_timeout_ms, "drain_timeout_ms")
          .def(5000)
          .min(1)
          .doc("on shutdown, how long pending publishes may take"),
  };
  return table;
}

const SettingsTable<Subscription>& subscription_spec() {
  using O = Subscription;
  static const SettingsTable<O> table{
      field(&O::topic, "topic")
          .require()
          .doc("topic filter: `+` one level, `#` the rest, `$share/<group>/<filter>` a shared "
               "subscription (v5) whose messages the group's members split (`${node_id}` "
               "expands)"),
      field(&O::qos, "qos").def(1).min(0).max(2).doc("maximum QoS to receive at"),
  };
  return table;
}

std::string expand_names(std::string_view text, std::string_view node_id,
                         std::string_view connector) {
  std::string out;
  for (size_t pos = 0; pos < text.size();) {
    if (text.substr(pos).starts_with("${node_id}")) {
      out.append(node_id);
      pos += 10;
    } else if (text.substr(pos).starts_with("${connector}")) {
      out.append(connector);
      pos += 12;
    } else {
      out.push_back(text[pos++]);
    }
  }
  return out;
}

std::string topic_problem(std::string_view topic) {
  if (topic.empty()) return "a topic is empty";
  if (topic.size() > 65535) return "a topic is longer than 65535 bytes";
  if (topic.find_first_of("+#") != std::string_view::npos)
    return "topic '" + std::string(topic) + "' has a wildcard (`+`, `#`): publish needs a name";
  if (topic.find('\0') != std::string_view::npos) return "a topic contains a NUL character";
  return "";
}

std::string filter_problem(std::string_view filter) {
  std::string text(filter);
  if (filter.empty()) return "a topic filter is empty";
  if (filter.find('\0') != std::string_view::npos) return "a topic filter contains NUL";
  if (filter.starts_with("$share/")) {
    auto rest = filter.substr(7);
    size_t slash = rest.find('/');
    if (slash == 0 || slash == std::string_view::npos || slash + 1 == rest.size())
      return "shared subscription '" + text + "' must be `$share/<group>/<filter>`";
    auto group = rest.substr(0, slash);
    if (group.find_first_of("+#") != std::string_view::npos)
      return "shared subscription '" + text + "': the group name cannot hold `+` or `#`";
    filter = rest.substr(slash + 1);
  }
  size_t start = 0;
  while (true) {
    size_t end = filter.find('/', start);
    auto level = filter.substr(start, end == std::string_view::npos ? end : end - start);
    if (level.find_first_of("+#") != std::string_view::npos && level.size() > 1)
      return "topic filter '" + text + "': `+` and `#` must fill a whole level";
    if (level == "#" && end != std::string_view::npos)
      return "topic filter '" + text + "': `#` must be the last level";
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return "";
}

namespace {

std::vector<std::string_view> levels(std::string_view topic) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t end = topic.find('/', start);
    out.push_back(topic.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

}  // namespace

bool filter_covered_by(std::string_view filter, std::string_view by) {
  if (by.starts_with("$share/")) {
    size_t slash = by.find('/', 7);
    if (slash == std::string_view::npos) return false;
    by = by.substr(slash + 1);
  }
  if (filter.starts_with("$share/")) return filter == by;
  auto f = levels(filter);
  auto b = levels(by);
  for (size_t i = 0; i < b.size(); ++i) {
    if (b[i] == "#") return !(i == 0 && !f.empty() && f[0].starts_with("$"));
    if (i >= f.size()) return false;
    if (b[i] == "+") {
      if (f[i] == "#" || (i == 0 && f[i].starts_with("$"))) return false;
      continue;
    }
    if (f[i] != b[i]) return false;
  }
  return f.size() == b.size();
}

namespace {

bool url_uses_tls(std::string_view url) {
  return url.starts_with("ssl://") || url.starts_with("wss://") || url.starts_with("mqtts://");
}

std::string url_problem(std::string_view url) {
  static constexpr std::string_view kSchemes[] = {"tcp://", "ssl://",  "ws://",
                                                  "wss://", "mqtt://", "mqtts://"};
  std::optional<std::string_view> rest;
  for (auto scheme : kSchemes)
    if (url.starts_with(scheme)) rest = url.substr(scheme.size());
  if (!rest && url.find("://") == std::string_view::npos)
    return "'" + std::string(url) +
           "' has no scheme: write tcp://host:port (or ssl://, ws://, wss://)";
  if (!rest)
    return "'" + std::string(url) + "': unknown scheme; use tcp://, ssl://, ws:// or wss://";
  auto host_port = rest->substr(0, rest->find('/'));
  if (host_port.empty() || host_port.starts_with(":"))
    return "'" + std::string(url) + "' names no host";
  if (auto colon = host_port.rfind(':');
      colon != std::string_view::npos && host_port.find(']') == std::string_view::npos) {
    auto port = host_port.substr(colon + 1);
    if (port.empty() || port.find_first_not_of("0123456789") != std::string_view::npos ||
        port.size() > 5 || std::stoi(std::string(port)) < 1 || std::stoi(std::string(port)) > 65535)
      return "'" + std::string(url) + "': the port must be a number from 1 to 65535";
  }
  return "";
}

// Reads `subscriptions`: a list of filters or of {topic, qos} mappings.
void read_subscriptions(const boost::json::value& value, std::vector<Subscription>* out,
                        std::vector<std::string>& errors) {
  if (value.is_null()) return;
  if (!value.is_array()) {
    errors.push_back("setting 'subscriptions' must be a list of topic filters or mappings");
    return;
  }
  const auto& items = value.get_array();
  for (size_t i = 0; i < items.size(); ++i) {
    std::string where = "subscriptions[" + std::to_string(i) + "]";
    Subscription sub;
    if (items[i].is_string()) {
      sub.topic = std::string(items[i].get_string());
    } else if (items[i].is_object()) {
      std::vector<std::string> item_errors;
      subscription_spec().validate(items[i].get_object(), item_errors);
      for (auto& e : item_errors) errors.push_back(where + ": " + e);
      if (!item_errors.empty()) continue;
      sub = subscription_spec().parse(items[i].get_object());
    } else {
      errors.push_back("setting '" + where + "' must be a topic filter or a mapping");
      continue;
    }
    if (auto problem = filter_problem(sub.topic); !problem.empty()) {
      errors.push_back("setting '" + where + "': " + problem);
      continue;
    }
    if (out) out->push_back(std::move(sub));
  }
}

}  // namespace

void validate_settings(const MqttSettings& s, std::vector<std::string>& errors) {
  if (s.urls.empty()) errors.push_back("setting 'url' must name at least one broker");
  for (const auto& url : s.urls)
    if (auto problem = url_problem(url); !problem.empty())
      errors.push_back("setting 'url': " + problem);
  if (s.client_id.empty())
    errors.push_back("setting 'client_id' must not be empty (the session belongs to it)");
  common::check_reconnect_settings(s.reconnect, errors);
  if (s.accept_wait_ms >= s.keep_alive_s * 1000LL)
    errors.push_back("setting 'accept_wait_ms' must be shorter than 'keep_alive' (" +
                     std::to_string(s.keep_alive_s) + " s)");

  validate_tls_mapping(s.tls_mapping, errors);

  std::vector<Subscription> subs;
  read_subscriptions(s.subscriptions_value, &subs, errors);
  bool v5 = s.protocol == Protocol::kV5;
  for (size_t i = 0; i < subs.size(); ++i)
    if (!v5 && subs[i].topic.starts_with("$share/"))
      errors.push_back("setting 'subscriptions[" + std::to_string(i) +
                       "]': shared subscriptions need `protocol: \"5\"`");

  auto check_topic = [&](const std::string& value, const char* key) {
    if (value.empty()) return;
    if (auto problem = topic_problem(value); !problem.empty())
      errors.push_back(std::string("setting '") + key + "': " + problem);
  };
  check_topic(s.will_topic, "will_topic");
  check_topic(s.birth_topic, "birth_topic");
  check_topic(s.topic, "topic");
  check_topic(s.dead_letter_topic, "dead_letter_topic");
  if (v5) {
    if (s.response_topic.empty())
      errors.push_back("setting 'response_topic' must not be empty with protocol 5");
    check_topic(s.response_topic, "response_topic");
  }
}

MqttSettings MqttSettings::resolved(std::string_view node_id, std::string_view connector) const {
  MqttSettings s = *this;
  auto expand = [&](const std::string& text) { return expand_names(text, node_id, connector); };
  s.client_id = expand(client_id);
  s.will_topic = expand(will_topic);
  s.birth_topic = expand(birth_topic);
  s.topic = expand(topic);
  s.dead_letter_topic = expand(dead_letter_topic);
  s.response_topic = expand(response_topic);
  s.tls = tls_settings_table().parse(tls_mapping);
  s.tls.enabled = !s.tls.ca_file.empty() || !s.tls.cert_file.empty();
  for (const auto& url : urls) s.tls.enabled = s.tls.enabled || url_uses_tls(url);
  std::vector<std::string> ignored;
  s.subscriptions.clear();
  read_subscriptions(subscriptions_value, &s.subscriptions, ignored);
  for (auto& sub : s.subscriptions) sub.topic = expand(sub.topic);
  return s;
}

}  // namespace sluice::mqtt
