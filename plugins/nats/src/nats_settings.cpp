// The NATS plugin's settings table and how it is read (see settings.hpp).
#include "nats_settings.hpp"

#include <filesystem>

#include "subject.hpp"

namespace sluice::nats {

const SettingsTable<NatsSettings>& settings_spec() {
  using O = NatsSettings;
  static const SettingsTable<O> table{
      field(&O::urls, "url")
          .def("nats://127.0.0.1:4222")
          .doc("NATS server URL, or a list of them (`nats://[user:pass@]host:port`, `tls://...`); "
               "the client picks another one when a server goes away"),
      field(&O::name, "name")
          .def("sluice-${node_id}")
          .doc("connection name shown in the server's monitoring (`${node_id}` expands)"),
      field(&O::timeout_ms, "timeout_ms").def(2000).min(1).doc("timeout of one connection attempt"),
      field(&O::max_reconnect, "max_reconnect")
          .def(-1)
          .min(-1)
          .doc("reconnect attempts after a connection is lost before giving up; -1 = forever"),
      common::reconnect_settings(&O::reconnect, {100, 5000, 0.2}),
      field(&O::reconnect_buffer_bytes, "reconnect_buffer_bytes")
          .def(8388608)
          .min(1)
          .doc("bytes of outgoing messages the connector holds while NATS is disconnected "
               "(sent after the reconnect unless their timeout passed first); when full, "
               "publishes fail with an error (the host retries them) instead of being dropped"),
      field(&O::ping_interval_ms, "ping_interval_ms")
          .def(20000)
          .min(100)
          .doc("client PING interval; two missed PONGs mark the connection stale"),
      field(&O::echo, "echo")
          .def(true)
          .doc("deliver messages this connection publishes to its own subscriptions; false avoids "
               "loops when routes publish to subjects this connector also consumes"),
      field(&O::send_asap, "send_asap")
          .def(false)
          .doc("write each publish to the socket at once instead of batching (lower latency at "
               "low rates, lower throughput)"),
      field(&O::user, "user").def("").doc("user name (with `password`)"),
      field(&O::password, "password").def("").hide().doc("password (with `user`)"),
      field(&O::token, "token").def("").hide().doc("authentication token"),
      field(&O::nkey, "nkey").def("").doc("NKey public key (`U...`); needs `nkey_seed_file`"),
      field(&O::nkey_seed_file, "nkey_seed_file")
          .def("")
          .doc("file holding the NKey seed (`SU...`) that signs the server's nonce"),
      field(&O::creds_file, "creds_file")
          .def("")
          .doc("NATS credentials file (user JWT and NKey seed, as `nsc` writes it)"),
      field(&O::tls, &TlsSettings::enabled, "tls")
          .def(false)
          .doc("use TLS (implied by a `tls://` URL or any `tls_*` file)"),
      field(&O::tls, &TlsSettings::ca_file, "tls_ca")
          .def("")
          .doc("CA certificate file (PEM) to verify the server"),
      field(&O::tls, &TlsSettings::cert_file, "tls_cert")
          .def("")
          .doc("client certificate file (PEM), with `tls_key`"),
      field(&O::tls, &TlsSettings::key_file, "tls_key")
          .def("")
          .doc("client private key file (PEM), with `tls_cert`"),
      field(&O::tls, &TlsSettings::verify, "tls_verify")
          .def(true)
          .doc("verify the server's certificate; false only for tests"),
      field(&O::subjects, "subjects")
          .def(std::vector<std::string>())
          .doc("subjects to consume besides those routes ask for (wildcards `*` and `>`; "
               "`${node_id}` expands)"),
      field(&O::queue_group, "queue_group")
          .def("")
          .doc("queue group of core subscriptions: instances in one group share the messages "
               "(each message goes to one of them)"),
      field(&O::pending_limit_msgs, "pending_limit_msgs")
          .def(65536)
          .min(1)
          .doc("messages a core subscription buffers in the client while sluice is busy; beyond "
               "it NATS drops them (counted as `dropped_slow_consumer`)"),
      field(&O::pending_limit_bytes, "pending_limit_bytes")
          .def(67108864)
          .min(1024)
          .doc("bytes a core subscription buffers in the client (see `pending_limit_msgs`)"),
      field(&O::busy_wait_ms, "busy_wait_ms")
          .def(1000)
          .min(0)
          .doc("how long a core NATS message waits for room when sluice's ingress is full "
               "before it is dropped (counted as `dropped_busy`); core NATS cannot redeliver"),
      field(&O::jetstream_mapping, "jetstream")
          .def(boost::json::object())
          .doc("consume a JetStream stream with explicit acks (at-least-once); keys in the "
               "JetStream table below. Empty = core NATS only"),
      field(&O::publish_jetstream, "publish_jetstream")
          .def(false)
          .doc("publishes wait for the stream's PubAck before completing (at-least-once into "
               "a stream); the subject must belong to a stream"),
      choice(&O::publish_confirm, "publish_confirm",
             {{"flush", PublishConfirm::kFlush}, {"none", PublishConfirm::kNone}})
          .def("flush")
          .doc("core publishes: `flush` completes once a PING/PONG round trip showed the server "
               "received them (batched); `none` completes when the client library took them"),
      field(&O::publish_timeout_ms, "publish_timeout_ms")
          .def(5000)
          .min(1)
          .doc("how long a publish may wait for its confirmation (flush or PubAck), including "
               "time held while disconnected, before it fails and the host retries it; a held "
               "publish that fails is never sent"),
      field(&O::max_pending_publishes, "max_pending_publishes")
          .def(65536)
          .min(1)
          .doc("publishes awaiting confirmation; beyond it publish reports busy (a safety net: "
               "the connector's host-side `max_in_flight` usually bounds them first)"),
      field(&O::default_subject, "default_subject")
          .def("")
          .doc("subject for messages routed here without one (`${node_id}` expands)"),
      field(&O::headers_mapping, "headers")
          .def(boost::json::object())
          .doc("headers added to every published message (`${node_id}` expands in values)"),
      field(&O::node_id_header, "node_id_header")
          .def("Sluice-Node")
          .doc("header carrying this instance's node_id on published messages, replies and "
               "requests; empty = none"),
      field(&O::request_timeout_ms, "request_timeout_ms")
          .def(5000)
          .min(1)
          .doc("timeout of a request when the route gives none"),
      field(&O::drain_timeout_ms, "drain_timeout_ms")
          .def(5000)
          .min(1)
          .doc("on shutdown, how long subscriptions may drain and publishes may complete"),
  };
  return table;
}

const SettingsTable<JetStreamSettings>& jetstream_spec() {
  using O = JetStreamSettings;
  static const SettingsTable<O> table{
      field(&O::stream, "stream").require().doc("stream to consume"),
      field(&O::subjects, "subjects")
          .def(std::vector<std::string>())
          .doc("the stream's subjects: used to create it, and to tell which route patterns the "
               "consumer serves (empty: read from the server)"),
      field(&O::durable, "durable")
          .def("sluice")
          .doc("durable consumer name; instances with the same name share the work"),
      choice(&O::pull, "deliver", {{"pull", true}, {"push", false}})
          .def("pull")
          .doc("`pull`: fetch batches only while sluice has room; `push`: the server pushes up to "
               "`max_ack_pending`"),
      field(&O::create_stream, "create_stream")
          .def(false)
          .doc("create the stream (with `subjects`) when it does not exist"),
      field(&O::create_consumer, "create_consumer")
          .def(true)
          .doc("create the durable consumer when it does not exist"),
      field(&O::filter_subject, "filter_subject")
          .def("")
          .doc("only consume these stream subjects (consumer filter)"),
      field(&O::deliver_policy, "deliver_policy")
          .def("all")
          .one_of({"all", "new", "last"})
          .doc("where a new consumer starts"),
      choice(&O::memory_storage, "storage", {{"file", false}, {"memory", true}})
          .def("file")
          .doc("storage of a stream created by `create_stream`"),
      field(&O::ack_wait_ms, "ack_wait_ms")
          .def(30000)
          .min(1)
          .doc("redelivery timeout of an unacknowledged message; longer than the slowest route"),
      field(&O::max_deliver, "max_deliver")
          .def(-1)
          .min(-1)
          .doc("deliveries of one message before the server gives up; -1 = unlimited"),
      field(&O::max_ack_pending, "max_ack_pending")
          .def(1000)
          .min(1)
          .doc("unacknowledged messages in flight per consumer"),
      field(&O::nak_delay_ms, "nak_delay_ms")
          .def(1000)
          .min(0)
          .doc("redelivery delay of a message whose routes failed (NAK with delay)"),
      field(&O::batch, "batch").def(100).min(1).max(10000).doc("messages per pull fetch"),
  };
  return table;
}

namespace {

void check_subject(const std::string& where, const std::string& subject, bool wildcards,
                   std::vector<std::string>& errors) {
  // ${node_id} is expanded later; check the rest of the syntax with a stand-in.
  if (auto problem = subject_problem(expand_node_id(subject, "node"), wildcards))
    errors.push_back("setting '" + where + "': " + *problem);
}

void check_jetstream(const boost::json::object& mapping, std::vector<std::string>& errors) {
  std::vector<std::string> js_errors;
  jetstream_spec().validate(mapping, js_errors);
  for (auto& e : js_errors) errors.push_back("jetstream: " + e);
  if (!js_errors.empty()) return;
  JetStreamSettings js = jetstream_spec().parse(mapping);
  // An absent durable is the default, which passes.
  if (js.durable.empty() || js.durable.find_first_of(" .*>") != std::string::npos)
    errors.push_back("jetstream: 'durable' must be a name without spaces, dots or wildcards");
  if (js.stream.find_first_of(" .*>") != std::string::npos)
    errors.push_back("jetstream: 'stream' must be a name without spaces, dots or wildcards");
  for (const auto& s : js.subjects) check_subject("jetstream.subjects", s, true, errors);
  if (!js.filter_subject.empty())
    check_subject("jetstream.filter_subject", js.filter_subject, true, errors);
  if (js.create_stream && js.subjects.empty())
    errors.push_back("jetstream: 'create_stream' needs 'subjects'");
}

}  // namespace

void validate_settings(const NatsSettings& s, std::vector<std::string>& errors) {
  if (s.urls.empty()) errors.push_back("setting 'url' must name at least one server");
  for (const auto& url : s.urls)
    if (auto problem = url_problem(url)) errors.push_back("setting 'url': " + *problem);

  check_settings_file(s.creds_file, "creds_file", errors);
  check_settings_file(s.nkey_seed_file, "nkey_seed_file", errors);
  check_tls_files(s.tls, "tls_", errors);
  if (s.nkey.empty() != s.nkey_seed_file.empty())
    errors.push_back("settings 'nkey' and 'nkey_seed_file' go together: set both or neither");
  if (!s.password.empty() && s.user.empty()) errors.push_back("setting 'password' needs 'user'");
  int auth_kinds = !s.user.empty() + !s.token.empty() + !s.nkey.empty() + !s.creds_file.empty();
  if (auth_kinds > 1)
    errors.push_back("use one of 'user'/'password', 'token', 'nkey', 'creds_file'");
  common::check_reconnect_settings(s.reconnect, errors);

  for (const auto& subject : s.subjects) check_subject("subjects", subject, true, errors);
  if (!s.default_subject.empty())
    check_subject("default_subject", s.default_subject, false, errors);
  if (s.queue_group.find_first_of(" \t.") != std::string::npos)
    errors.push_back("setting 'queue_group' must not contain spaces or dots");
  for (const auto& [name, value] : s.headers_mapping)
    if (!value.is_string())
      errors.push_back("setting 'headers': value of '" + std::string(name) + "' must be a string");

  if (!s.jetstream_mapping.empty()) check_jetstream(s.jetstream_mapping, errors);
}

NatsSettings NatsSettings::resolved(std::string_view node_id) const {
  NatsSettings s = *this;
  s.name = expand_node_id(name, node_id);
  s.tls.enabled = tls.enabled || !tls.ca_file.empty() || !tls.cert_file.empty();
  for (const auto& url : urls) s.tls.enabled = s.tls.enabled || url_wants_tls(url);
  for (auto& subject : s.subjects) subject = expand_node_id(subject, node_id);
  s.default_subject = expand_node_id(default_subject, node_id);
  s.headers.clear();
  for (const auto& [header, value] : headers_mapping)
    if (value.is_string())
      s.headers.emplace_back(std::string(header),
                             expand_node_id(std::string(value.get_string()), node_id));
  if (!jetstream_mapping.empty()) {
    s.jetstream = jetstream_spec().parse(jetstream_mapping);
    s.jetstream.enabled = true;
    for (auto& subject : s.jetstream.subjects) subject = expand_node_id(subject, node_id);
    s.jetstream.durable = expand_node_id(s.jetstream.durable, node_id);
    s.jetstream.filter_subject = expand_node_id(s.jetstream.filter_subject, node_id);
  }
  return s;
}

}  // namespace sluice::nats
