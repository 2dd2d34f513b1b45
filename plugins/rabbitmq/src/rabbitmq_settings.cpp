// The RabbitMQ plugin's settings tables and how they are read (see rabbitmq_settings.hpp).
#include "rabbitmq_settings.hpp"

#include <filesystem>
#include <set>

#include "amqp_url.hpp"

namespace sluice::rabbitmq {

const SettingsTable<RabbitSettings>& settings_spec() {
  using O = RabbitSettings;
  static const SettingsTable<O> table{
      field(&O::urls, "url")
          .def("amqp://guest:guest@127.0.0.1:5672/")
          .doc("server URL `amqp[s]://[user[:password]@]host[:port][/vhost]`, or a list of them "
               "tried in turn (failover); `amqps://` uses TLS"),
      field(&O::vhost, "vhost").def("").doc("virtual host; empty = the URL's (`/` if none)"),
      field(&O::user, "user").def("").doc("user name; empty = the URL's (else `guest`)"),
      field(&O::password, "password").def("").hide().doc("password; empty = the URL's"),
      field(&O::heartbeat_s, "heartbeat")
          .def(30)
          .min(0)
          .max(65535)
          .doc("heartbeat interval in seconds (0 = off); a dead peer is noticed after two"),
      field(&O::connection_name, "connection_name")
          .def("sluice-${node_id}")
          .doc("name shown in the management UI (`${node_id}` expands)"),
      field(&O::connect_timeout_ms, "connect_timeout_ms")
          .def(5000)
          .min(1)
          .doc("timeout of one connection attempt (TCP, TLS, AMQP handshake)"),
      field(&O::tls_mapping, "tls")
          .def(boost::json::object())
          .doc("TLS options, keys in the TLS table below (implied by an `amqps://` URL)"),
      common::reconnect_settings(&O::reconnect),
      field(&O::exchanges_value, "exchanges")
          .def(boost::json::value(boost::json::array()))
          .doc("exchanges to declare at start and after every reconnect: a list of mappings, "
               "keys in the exchange table below"),
      field(&O::queues_value, "queues")
          .def(boost::json::value(boost::json::array()))
          .doc("queues to declare: a list of mappings, keys in the queue table below"),
      field(&O::bindings_value, "bindings")
          .def(boost::json::value(boost::json::array()))
          .doc("bindings to declare (queue <- exchange): a list of mappings, keys in the "
               "binding table below"),
      field(&O::passive, "passive")
          .def(false)
          .doc("only check that the declared exchanges and queues exist (passive declare), "
               "never create them; bindings are then not declared"),
      field(&O::consume, "consume")
          .def(std::vector<std::string>())
          .doc("queues to consume (`${node_id}` expands); empty = consume nothing"),
      field(&O::prefetch, "prefetch")
          .def(100)
          .min(1)
          .max(65535)
          .doc("unacknowledged deliveries per consumer (basic.qos): the flow-control window; "
               "sluice holds at most this many per queue while its ingress is full"),
      choice(&O::ack_mode, "ack_mode", {{"manual", AckMode::kManual}, {"auto", AckMode::kAuto}})
          .def("manual")
          .doc("`manual`: basic.ack once every output confirmed (at-least-once); `auto`: ack "
               "as soon as sluice accepted the delivery (at-most-once), still paced by prefetch"),
      choice(&O::nack, "nack",
             {{"requeue", NackAction::kRequeue}, {"dead_letter", NackAction::kDeadLetter}})
          .def("requeue")
          .doc("what a delivery that failed in sluice gets: `requeue` (basic.nack requeue=true) "
               "or `dead_letter` (requeue=false: the queue's dead-letter exchange takes it)"),
      field(&O::redelivery_limit, "redelivery_limit")
          .def(0)
          .min(0)
          .doc("with `nack: requeue`, a failed delivery that was already delivered this many "
               "times is nacked without requeue (dead-lettered) instead; 0 = no limit. Counts "
               "with quorum queues' x-delivery-count; classic queues only tell first delivery "
               "from redelivery (any limit >= 1 then means: requeue once)"),
      field(&O::exchange, "exchange")
          .def("")
          .doc("exchange that publishes and requests go to; empty = the default exchange "
               "(routing key = queue name)"),
      field(&O::routing_key, "routing_key")
          .def("")
          .doc("routing key of a message routed here without a subject (`${node_id}` expands)"),
      field(&O::mandatory, "mandatory")
          .def(false)
          .doc("publish with the mandatory flag: a message no queue takes comes back "
               "(basic.return) and its publish fails, so the route retries or dead-letters it"),
      field(&O::persistent, "persistent")
          .def(true)
          .doc("delivery_mode 2 (persistent) unless the message's `delivery_mode` header says "
               "otherwise"),
      field(&O::confirm, "confirm")
          .def(true)
          .doc("publisher confirms: a publish completes when the broker acked it (pipelined); "
               "false completes once written to the socket (at-most-once)"),
      field(&O::max_pending_publishes, "max_pending_publishes")
          .def(65536)
          .min(1)
          .doc("publishes, replies and requests queued or awaiting their confirm or reply; "
               "beyond it publish reports busy (a safety net: the connector's host-side "
               "`max_in_flight` usually bounds them first)"),
      field(&O::publish_timeout_ms, "publish_timeout_ms")
          .def(30000)
          .min(1)
          .doc("how long a publish may wait (queued while disconnected or blocked, or for its "
               "confirm) before it fails and the host retries it"),
      field(&O::node_id_header, "node_id_header")
          .def("sluice-node")
          .doc("header carrying this instance's node_id on published messages; empty = none"),
      field(&O::request_timeout_ms, "request_timeout_ms")
          .def(5000)
          .min(1)
          .doc("timeout of a request (direct reply-to) when the route gives none"),
      field(&O::drain_timeout_ms, "drain_timeout_ms")
          .def(5000)
          .min(1)
          .doc("on shutdown, how long pending publishes and acks may take"),
  };
  return table;
}

const SettingsTable<ExchangeSettings>& exchange_spec() {
  using O = ExchangeSettings;
  static const SettingsTable<O> table{
      field(&O::name, "name").require().doc("exchange name"),
      field(&O::type, "type")
          .def("direct")
          .one_of({"direct", "topic", "fanout", "headers"})
          .doc("exchange type"),
      field(&O::durable, "durable").def(true).doc("survives a broker restart"),
      field(&O::auto_delete, "auto_delete")
          .def(false)
          .doc("deleted when its last binding goes away"),
      field(&O::internal, "internal").def(false).doc("only other exchanges can publish to it"),
      field(&O::arguments, "arguments")
          .def(boost::json::object())
          .doc("other arguments, e.g. `alternate-exchange`"),
  };
  return table;
}

const SettingsTable<QueueSettings>& queue_spec() {
  using O = QueueSettings;
  static const SettingsTable<O> table{
      field(&O::name, "name").require().doc("queue name (`${node_id}` expands)"),
      field(&O::durable, "durable").def(true).doc("survives a broker restart"),
      field(&O::exclusive, "exclusive")
          .def(false)
          .doc("used by this connection only, deleted when it closes"),
      field(&O::auto_delete, "auto_delete")
          .def(false)
          .doc("deleted when its last consumer goes away"),
      field(&O::type, "type").def("classic").one_of({"classic", "quorum"}).doc("`x-queue-type`"),
      field(&O::max_priority, "max_priority")
          .min(1)
          .max(255)
          .doc("`x-max-priority`: a priority queue with priorities 0..max_priority"),
      field(&O::message_ttl_ms, "message_ttl_ms").min(0).doc("`x-message-ttl` in milliseconds"),
      field(&O::max_length, "max_length").min(0).doc("`x-max-length` in messages"),
      field(&O::dead_letter_exchange, "dead_letter_exchange")
          .doc("`x-dead-letter-exchange`: where rejected, expired and overflowing messages go"),
      field(&O::dead_letter_routing_key, "dead_letter_routing_key")
          .doc("`x-dead-letter-routing-key` (default: the message's own)"),
      field(&O::arguments, "arguments")
          .def(boost::json::object())
          .doc("any other `x-` argument, e.g. `x-overflow`, `x-expires`"),
  };
  return table;
}

const SettingsTable<BindingSettings>& binding_spec() {
  using O = BindingSettings;
  static const SettingsTable<O> table{
      field(&O::queue, "queue").require().doc("queue that receives (`${node_id}` expands)"),
      field(&O::exchange, "exchange").require().doc("exchange it receives from"),
      field(&O::routing_key, "routing_key")
          .def("")
          .doc("binding key; topic exchanges take `*` (one word) and `#` (zero or more) "
               "(`${node_id}` expands)"),
      field(&O::arguments, "arguments")
          .def(boost::json::object())
          .doc("binding arguments; for a headers exchange `x-match` (`all`/`any`) and the "
               "headers to match"),
  };
  return table;
}

boost::json::object QueueSettings::all_arguments() const {
  boost::json::object args = arguments;
  if (type != "classic" && !args.contains("x-queue-type")) args["x-queue-type"] = type;
  if (max_priority) args["x-max-priority"] = *max_priority;
  if (message_ttl_ms) args["x-message-ttl"] = *message_ttl_ms;
  if (max_length) args["x-max-length"] = *max_length;
  if (dead_letter_exchange) args["x-dead-letter-exchange"] = *dead_letter_exchange;
  if (dead_letter_routing_key) args["x-dead-letter-routing-key"] = *dead_letter_routing_key;
  return args;
}

std::string expand_node_id(std::string_view text, std::string_view node_id) {
  static constexpr std::string_view kVar = "${node_id}";
  std::string out;
  size_t pos = 0;
  for (size_t hit; (hit = text.find(kVar, pos)) != std::string_view::npos; pos = hit + kVar.size())
    out.append(text.substr(pos, hit - pos)).append(node_id);
  out.append(text.substr(pos));
  return out;
}

std::optional<std::string> argument_problem(std::string_view name, const boost::json::value& v) {
  static const std::set<std::string_view> kIntegers = {
      "x-max-priority",        "x-message-ttl",      "x-expires",
      "x-max-length",          "x-max-length-bytes", "x-delivery-limit",
      "x-initial-cluster-size"};
  static const std::set<std::string_view> kStrings = {
      "x-dead-letter-exchange", "x-dead-letter-routing-key",
      "x-queue-type",           "x-overflow",
      "x-queue-mode",           "x-dead-letter-strategy",
      "alternate-exchange",     "x-queue-leader-locator"};
  if (kIntegers.contains(name)) {
    bool integral = v.is_int64() || v.is_uint64();
    if (!integral) return "'" + std::string(name) + "' must be an integer";
    if (v.to_number<double>() < 0) return "'" + std::string(name) + "' must be >= 0";
  } else if (kStrings.contains(name)) {
    if (!v.is_string()) return "'" + std::string(name) + "' must be a string";
  } else if (name == "x-single-active-consumer") {
    if (!v.is_bool()) return "'x-single-active-consumer' must be true or false";
  } else if (v.is_null()) {
    return "'" + std::string(name) + "' has no value";
  }
  return std::nullopt;
}

namespace {

void check_arguments(const std::string& where, const boost::json::object& args,
                     std::vector<std::string>& errors) {
  for (const auto& [name, value] : args)
    if (auto problem = argument_problem(name, value))
      errors.push_back("setting '" + where + ".arguments': " + *problem);
}

// Validates a list of mappings against `spec`; appends the parsed items.
template <class Item>
void read_list(const char* key, const boost::json::value& value, const SettingsTable<Item>& spec,
               std::vector<Item>* out, std::vector<std::string>& errors) {
  if (value.is_null()) return;
  if (!value.is_array()) {
    errors.push_back("setting '" + std::string(key) + "' must be a list of mappings");
    return;
  }
  const auto& items = value.get_array();
  for (size_t i = 0; i < items.size(); ++i) {
    std::string where = std::string(key) + "[" + std::to_string(i) + "]";
    if (!items[i].is_object()) {
      errors.push_back("setting '" + where + "' must be a mapping");
      continue;
    }
    std::vector<std::string> item_errors;
    spec.validate(items[i].get_object(), item_errors);
    for (auto& e : item_errors) errors.push_back(where + ": " + e);
    if (!item_errors.empty()) continue;
    Item item = spec.parse(items[i].get_object());
    check_arguments(where, item.arguments, errors);
    if (out) out->push_back(std::move(item));
  }
}

}  // namespace

void validate_settings(const RabbitSettings& s, std::vector<std::string>& errors) {
  if (s.urls.empty()) errors.push_back("setting 'url' must name at least one server");
  for (const auto& url : s.urls) {
    AmqpEndpoint endpoint;
    if (auto problem = parse_amqp_url(url, endpoint))
      errors.push_back("setting 'url': " + *problem);
  }
  common::check_reconnect_settings(s.reconnect, errors);

  validate_tls_mapping(s.tls_mapping, errors);

  std::vector<ExchangeSettings> exchanges;
  std::vector<QueueSettings> queues;
  std::vector<BindingSettings> bindings;
  read_list("exchanges", s.exchanges_value, exchange_spec(), &exchanges, errors);
  read_list("queues", s.queues_value, queue_spec(), &queues, errors);
  read_list("bindings", s.bindings_value, binding_spec(), &bindings, errors);

  std::set<std::string> exchange_names{""};
  for (const auto& e : exchanges) {
    if (e.name.empty() || e.name.rfind("amq.", 0) == 0)
      errors.push_back("setting 'exchanges': '" + e.name +
                       "' cannot be declared (empty or reserved amq. prefix)");
    exchange_names.insert(e.name);
  }
  std::set<std::string> queue_names;
  for (size_t i = 0; i < queues.size(); ++i) {
    const auto& q = queues[i];
    std::string where = "queues[" + std::to_string(i) + "]";
    if (q.type == "quorum" && (!q.durable || q.exclusive || q.auto_delete))
      errors.push_back("setting '" + where +
                       "': a quorum queue must be durable, not exclusive, not auto_delete");
    if (q.type == "quorum" && q.max_priority)
      errors.push_back("setting '" + where + "': quorum queues have no max_priority");
    if (auto it = q.arguments.find("x-queue-type");
        it != q.arguments.end() && it->value().is_string() && it->value().get_string() != q.type &&
        q.type != "classic")
      errors.push_back("setting '" + where + "': 'type' and arguments.x-queue-type disagree");
    queue_names.insert(q.name);
  }
  for (size_t i = 0; i < bindings.size(); ++i) {
    const auto& b = bindings[i];
    if (!exchange_names.contains(b.exchange) && b.exchange.rfind("amq.", 0) != 0 && !s.passive)
      errors.push_back("setting 'bindings[" + std::to_string(i) + "]': exchange '" + b.exchange +
                       "' is not in 'exchanges' (declare it, or use an amq.* exchange)");
    if (b.exchange.empty())
      errors.push_back("setting 'bindings[" + std::to_string(i) +
                       "]': the default exchange cannot be bound");
  }
  for (const auto& queue : s.consume)
    if (queue.empty()) errors.push_back("setting 'consume': a queue name is empty");
  if (!s.node_id_header.empty() && s.node_id_header.find_first_of(" \t\r\n") != std::string::npos)
    errors.push_back("setting 'node_id_header' must not contain spaces");
}

RabbitSettings RabbitSettings::resolved(std::string_view node_id) const {
  RabbitSettings s = *this;
  s.connection_name = expand_node_id(connection_name, node_id);
  s.tls = tls_settings_table().parse(tls_mapping);
  s.tls.enabled = !s.tls.ca_file.empty() || !s.tls.cert_file.empty();
  for (const auto& url : urls) s.tls.enabled = s.tls.enabled || url.rfind("amqps://", 0) == 0;
  std::vector<std::string> ignored;
  s.exchanges.clear();
  s.queues.clear();
  s.bindings.clear();
  read_list("exchanges", exchanges_value, exchange_spec(), &s.exchanges, ignored);
  read_list("queues", queues_value, queue_spec(), &s.queues, ignored);
  read_list("bindings", bindings_value, binding_spec(), &s.bindings, ignored);
  for (auto& q : s.queues) q.name = expand_node_id(q.name, node_id);
  for (auto& b : s.bindings) {
    b.queue = expand_node_id(b.queue, node_id);
    b.routing_key = expand_node_id(b.routing_key, node_id);
  }
  for (auto& q : s.consume) q = expand_node_id(q, node_id);
  s.routing_key = expand_node_id(routing_key, node_id);
  return s;
}

}  // namespace sluice::rabbitmq
