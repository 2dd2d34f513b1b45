// The NATS plugin's settings table and how it is read (see settings.hpp).
#include "nats_settings.hpp"

#include <filesystem>

#include "subject.hpp"

namespace sluice::nats {

const SettingsSpec& settings_spec() {
  static const SettingsSpec spec{
      Setting::list("url")
          .def("\"nats://127.0.0.1:4222\"")
          .doc("NATS server URL, or a list of them (`nats://[user:pass@]host:port`, `tls://...`); "
               "the client picks another one when a server goes away"),
      Setting::string("name")
          .def("\"sluice-${node_id}\"")
          .doc("connection name shown in the server's monitoring (`${node_id}` expands)"),
      Setting::integer("timeout_ms").def("2000").min(1).doc("timeout of one connection attempt"),
      Setting::integer("max_reconnect")
          .def("-1")
          .min(-1)
          .doc("reconnect attempts after a connection is lost before giving up; -1 = forever"),
      Setting::integer("reconnect_wait_ms")
          .def("100")
          .min(1)
          .doc("first delay between reconnect rounds; doubles each round (exponential backoff)"),
      Setting::integer("reconnect_wait_max_ms")
          .def("5000")
          .min(1)
          .doc("upper bound of the reconnect delay"),
      Setting::number("reconnect_jitter")
          .def("0.2")
          .min(0)
          .max(1)
          .doc("random share of each reconnect delay (0.2 = +/-20%) so that many instances do "
               "not reconnect in lockstep"),
      Setting::integer("reconnect_buffer_bytes")
          .def("8388608")
          .min(1)
          .doc("bytes of outgoing messages the connector holds while NATS is disconnected "
               "(sent after the reconnect unless their timeout passed first); when full, "
               "publishes fail with an error (the host retries them) instead of being dropped"),
      Setting::integer("ping_interval_ms")
          .def("20000")
          .min(100)
          .doc("client PING interval; two missed PONGs mark the connection stale"),
      Setting::boolean("echo").def("true").doc(
          "deliver messages this connection publishes to its own subscriptions; false avoids "
          "loops when routes publish to subjects this connector also consumes"),
      Setting::boolean("send_asap")
          .def("false")
          .doc("write each publish to the socket at once instead of batching (lower latency at "
               "low rates, lower throughput)"),
      Setting::string("user").def("\"\"").doc("user name (with `password`)"),
      Setting::string("password").def("\"\"").hide().doc("password (with `user`)"),
      Setting::string("token").def("\"\"").hide().doc("authentication token"),
      Setting::string("nkey").def("\"\"").doc("NKey public key (`U...`); needs `nkey_seed_file`"),
      Setting::string("nkey_seed_file")
          .def("\"\"")
          .doc("file holding the NKey seed (`SU...`) that signs the server's nonce"),
      Setting::string("creds_file")
          .def("\"\"")
          .doc("NATS credentials file (user JWT and NKey seed, as `nsc` writes it)"),
      Setting::boolean("tls").def("false").doc(
          "use TLS (implied by a `tls://` URL or any `tls_*` file)"),
      Setting::string("tls_ca").def("\"\"").doc("CA certificate file (PEM) to verify the server"),
      Setting::string("tls_cert").def("\"\"").doc("client certificate file (PEM), with `tls_key`"),
      Setting::string("tls_key").def("\"\"").doc("client private key file (PEM), with `tls_cert`"),
      Setting::boolean("tls_verify")
          .def("true")
          .doc("verify the server's certificate; false only for tests"),
      Setting::list("subjects")
          .def("[]")
          .doc("subjects to consume besides those routes ask for (wildcards `*` and `>`; "
               "`${node_id}` expands)"),
      Setting::string("queue_group")
          .def("\"\"")
          .doc("queue group of core subscriptions: instances in one group share the messages "
               "(each message goes to one of them)"),
      Setting::integer("pending_limit_msgs")
          .def("65536")
          .min(1)
          .doc("messages a core subscription buffers in the client while sluice is busy; beyond "
               "it NATS drops them (counted as `dropped_slow_consumer`)"),
      Setting::integer("pending_limit_bytes")
          .def("67108864")
          .min(1024)
          .doc("bytes a core subscription buffers in the client (see `pending_limit_msgs`)"),
      Setting::integer("busy_wait_ms")
          .def("1000")
          .min(0)
          .doc("how long a core NATS message waits for room when sluice's ingress is full "
               "before it is dropped (counted as `dropped_busy`); core NATS cannot redeliver"),
      Setting::object("jetstream")
          .def("{}")
          .doc("consume a JetStream stream with explicit acks (at-least-once); keys in the "
               "JetStream table below. Empty = core NATS only"),
      Setting::boolean("publish_jetstream")
          .def("false")
          .doc("publishes wait for the stream's PubAck before completing (at-least-once into "
               "a stream); the subject must belong to a stream"),
      Setting::string("publish_confirm")
          .def("\"flush\"")
          .one_of({"flush", "none"})
          .doc("core publishes: `flush` completes once a PING/PONG round trip showed the server "
               "received them (batched); `none` completes when the client library took them"),
      Setting::integer("publish_timeout_ms")
          .def("5000")
          .min(1)
          .doc("how long a publish may wait for its confirmation (flush or PubAck), including "
               "time held while disconnected, before it fails and the host retries it; a held "
               "publish that fails is never sent"),
      Setting::integer("max_pending_publishes")
          .def("65536")
          .min(1)
          .doc("publishes awaiting confirmation; beyond it publish reports busy (a safety net: "
               "the connector's host-side `max_in_flight` usually bounds them first)"),
      Setting::string("default_subject")
          .def("\"\"")
          .doc("subject for messages routed here without one (`${node_id}` expands)"),
      Setting::object("headers").def("{}").doc(
          "headers added to every published message (`${node_id}` expands in values)"),
      Setting::string("node_id_header")
          .def("\"Sluice-Node\"")
          .doc("header carrying this instance's node_id on published messages, replies and "
               "requests; empty = none"),
      Setting::integer("request_timeout_ms")
          .def("5000")
          .min(1)
          .doc("timeout of a request when the route gives none"),
      Setting::integer("drain_timeout_ms")
          .def("5000")
          .min(1)
          .doc("on shutdown, how long subscriptions may drain and publishes may complete"),
  };
  return spec;
}

const SettingsSpec& jetstream_spec() {
  static const SettingsSpec spec{
      Setting::string("stream").require().doc("stream to consume"),
      Setting::list("subjects")
          .def("[]")
          .doc("the stream's subjects: used to create it, and to tell which route patterns the "
               "consumer serves (empty: read from the server)"),
      Setting::string("durable")
          .def("\"sluice\"")
          .doc("durable consumer name; instances with the same name share the work"),
      Setting::string("deliver")
          .def("\"pull\"")
          .one_of({"pull", "push"})
          .doc("`pull`: fetch batches only while sluice has room; `push`: the server pushes up to "
               "`max_ack_pending`"),
      Setting::boolean("create_stream")
          .def("false")
          .doc("create the stream (with `subjects`) when it does not exist"),
      Setting::boolean("create_consumer")
          .def("true")
          .doc("create the durable consumer when it does not exist"),
      Setting::string("filter_subject")
          .def("\"\"")
          .doc("only consume these stream subjects (consumer filter)"),
      Setting::string("deliver_policy")
          .def("\"all\"")
          .one_of({"all", "new", "last"})
          .doc("where a new consumer starts"),
      Setting::string("storage")
          .def("\"file\"")
          .one_of({"file", "memory"})
          .doc("storage of a stream created by `create_stream`"),
      Setting::integer("ack_wait_ms")
          .def("30000")
          .min(1)
          .doc("redelivery timeout of an unacknowledged message; longer than the slowest route"),
      Setting::integer("max_deliver")
          .def("-1")
          .min(-1)
          .doc("deliveries of one message before the server gives up; -1 = unlimited"),
      Setting::integer("max_ack_pending")
          .def("1000")
          .min(1)
          .doc("unacknowledged messages in flight per consumer"),
      Setting::integer("nak_delay_ms")
          .def("1000")
          .min(0)
          .doc("redelivery delay of a message whose routes failed (NAK with delay)"),
      Setting::integer("batch").def("100").min(1).max(10000).doc("messages per pull fetch"),
  };
  return spec;
}

namespace {

void check_file(const Config& config, const char* key, std::vector<std::string>& errors) {
  std::string path = config.get_string(key);
  if (path.empty()) return;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    errors.push_back("setting '" + std::string(key) + "': file '" + path + "' does not exist");
}

void check_subject(const std::string& where, const std::string& subject, bool wildcards,
                   std::vector<std::string>& errors) {
  // ${node_id} is expanded later; check the rest of the syntax with a stand-in.
  if (auto problem = subject_problem(expand_node_id(subject, "node"), wildcards))
    errors.push_back("setting '" + where + "': " + *problem);
}

}  // namespace

void validate_settings(const Config& config, std::vector<std::string>& errors) {
  auto urls = config.get_list("url");
  if (urls.empty()) errors.push_back("setting 'url' must name at least one server");
  for (const auto& url : urls)
    if (auto problem = url_problem(url)) errors.push_back("setting 'url': " + *problem);

  check_file(config, "creds_file", errors);
  check_file(config, "nkey_seed_file", errors);
  check_file(config, "tls_ca", errors);
  check_file(config, "tls_cert", errors);
  check_file(config, "tls_key", errors);
  if (config.get_string("tls_cert").empty() != config.get_string("tls_key").empty())
    errors.push_back("settings 'tls_cert' and 'tls_key' go together: set both or neither");
  if (config.get_string("nkey").empty() != config.get_string("nkey_seed_file").empty())
    errors.push_back("settings 'nkey' and 'nkey_seed_file' go together: set both or neither");
  if (!config.get_string("password").empty() && config.get_string("user").empty())
    errors.push_back("setting 'password' needs 'user'");
  int auth_kinds = !config.get_string("user").empty() + !config.get_string("token").empty() +
                   !config.get_string("nkey").empty() + !config.get_string("creds_file").empty();
  if (auth_kinds > 1)
    errors.push_back("use one of 'user'/'password', 'token', 'nkey', 'creds_file'");
  if (config.get_int("reconnect_wait_max_ms") < config.get_int("reconnect_wait_ms"))
    errors.push_back("setting 'reconnect_wait_max_ms' must be >= 'reconnect_wait_ms'");

  for (const auto& s : config.get_list("subjects")) check_subject("subjects", s, true, errors);
  if (!config.get_string("default_subject").empty())
    check_subject("default_subject", config.get_string("default_subject"), false, errors);
  if (auto q = config.get_string("queue_group"); q.find_first_of(" \t.") != std::string::npos)
    errors.push_back("setting 'queue_group' must not contain spaces or dots");
  if (const auto* headers = config.get("headers"); headers && headers->is_object()) {
    for (const auto& [name, value] : headers->get_object())
      if (!value.is_string())
        errors.push_back("setting 'headers': value of '" + std::string(name) +
                         "' must be a string");
  }

  const auto* js = config.get("jetstream");
  if (js && js->is_object() && !js->get_object().empty()) {
    std::vector<std::string> js_errors;
    jetstream_spec().validate(js->get_object(), js_errors);
    for (auto& e : js_errors) errors.push_back("jetstream: " + e);
    if (js_errors.empty()) {
      Config jsc(js->get_object());
      auto durable = jsc.get_string("durable");
      if (jsc.has("durable") &&
          (durable.empty() || durable.find_first_of(" .*>") != std::string::npos))
        errors.push_back("jetstream: 'durable' must be a name without spaces, dots or wildcards");
      if (jsc.get_string("stream").find_first_of(" .*>") != std::string::npos)
        errors.push_back("jetstream: 'stream' must be a name without spaces, dots or wildcards");
      for (const auto& s : jsc.get_list("subjects"))
        check_subject("jetstream.subjects", s, true, errors);
      if (!jsc.get_string("filter_subject").empty())
        check_subject("jetstream.filter_subject", jsc.get_string("filter_subject"), true, errors);
      if (jsc.get_bool("create_stream") && jsc.get_list("subjects").empty())
        errors.push_back("jetstream: 'create_stream' needs 'subjects'");
    }
  }
}

namespace {

JetStreamSettings read_jetstream(const Config& config, std::string_view node_id) {
  JetStreamSettings js;
  const auto* value = config.get("jetstream");
  if (!value || !value->is_object() || value->get_object().empty()) return js;
  std::string text = boost::json::serialize(*value);
  Config c = jetstream_spec().parse(text);
  js.enabled = true;
  js.stream = c.get_string("stream");
  for (const auto& s : c.get_list("subjects")) js.subjects.push_back(expand_node_id(s, node_id));
  js.durable = expand_node_id(c.get_string("durable"), node_id);
  js.pull = c.get_string("deliver") == "pull";
  js.create_stream = c.get_bool("create_stream");
  js.create_consumer = c.get_bool("create_consumer");
  js.filter_subject = expand_node_id(c.get_string("filter_subject"), node_id);
  js.deliver_policy = c.get_string("deliver_policy");
  js.memory_storage = c.get_string("storage") == "memory";
  js.ack_wait_ms = c.get_int("ack_wait_ms");
  js.max_deliver = c.get_int("max_deliver");
  js.max_ack_pending = c.get_int("max_ack_pending");
  js.nak_delay_ms = c.get_int("nak_delay_ms");
  js.batch = static_cast<int>(c.get_int("batch"));
  return js;
}

int clamp_int(int64_t v) { return static_cast<int>(std::min<int64_t>(v, INT32_MAX)); }

}  // namespace

NatsSettings NatsSettings::from(const Config& c, std::string_view node_id) {
  NatsSettings s;
  s.urls = c.get_list("url");
  s.name = expand_node_id(c.get_string("name"), node_id);
  s.timeout_ms = c.get_int("timeout_ms");
  s.max_reconnect = clamp_int(c.get_int("max_reconnect"));
  s.reconnect_wait_ms = c.get_int("reconnect_wait_ms");
  s.reconnect_wait_max_ms = c.get_int("reconnect_wait_max_ms");
  s.reconnect_jitter = c.get_number("reconnect_jitter");
  s.reconnect_buffer_bytes = clamp_int(c.get_int("reconnect_buffer_bytes"));
  s.ping_interval_ms = c.get_int("ping_interval_ms");
  s.echo = c.get_bool("echo");
  s.send_asap = c.get_bool("send_asap");
  s.user = c.get_string("user");
  s.password = c.get_string("password");
  s.token = c.get_string("token");
  s.nkey = c.get_string("nkey");
  s.nkey_seed_file = c.get_string("nkey_seed_file");
  s.creds_file = c.get_string("creds_file");
  s.tls.ca_file = c.get_string("tls_ca");
  s.tls.cert_file = c.get_string("tls_cert");
  s.tls.key_file = c.get_string("tls_key");
  s.tls.verify = c.get_bool("tls_verify");
  s.tls.enabled = c.get_bool("tls") || !s.tls.ca_file.empty() || !s.tls.cert_file.empty();
  for (const auto& url : s.urls) s.tls.enabled = s.tls.enabled || url_wants_tls(url);
  for (const auto& subject : c.get_list("subjects"))
    s.subjects.push_back(expand_node_id(subject, node_id));
  s.queue_group = c.get_string("queue_group");
  s.pending_limit_msgs = clamp_int(c.get_int("pending_limit_msgs"));
  s.pending_limit_bytes = clamp_int(c.get_int("pending_limit_bytes"));
  s.busy_wait_ms = c.get_int("busy_wait_ms");
  s.jetstream = read_jetstream(c, node_id);
  s.default_subject = expand_node_id(c.get_string("default_subject"), node_id);
  s.publish_jetstream = c.get_bool("publish_jetstream");
  s.publish_confirm =
      c.get_string("publish_confirm") == "none" ? PublishConfirm::kNone : PublishConfirm::kFlush;
  s.publish_timeout_ms = c.get_int("publish_timeout_ms");
  s.max_pending_publishes = c.get_int("max_pending_publishes");
  if (const auto* headers = c.get("headers"); headers && headers->is_object())
    for (const auto& [name, value] : headers->get_object())
      if (value.is_string())
        s.headers.emplace_back(std::string(name),
                               expand_node_id(std::string(value.get_string()), node_id));
  s.node_id_header = c.get_string("node_id_header");
  s.request_timeout_ms = c.get_int("request_timeout_ms");
  s.drain_timeout_ms = c.get_int("drain_timeout_ms");
  return s;
}

}  // namespace sluice::nats
