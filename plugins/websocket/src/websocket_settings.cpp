#include "websocket_settings.hpp"

#include <cctype>
#include <set>
#include <sluice/common/listen_address.hpp>

namespace sluice::websocket {

const SettingsTable<WebSocketSettings>& websocket_settings() {
  using O = WebSocketSettings;
  static const SettingsTable<O> table{
      field(&O::listen, "listen")
          .def("127.0.0.1:8080")
          .doc("Address and port of the HTTP/WebSocket listener (`[::1]:8080` for IPv6; port 0 "
               "picks a free one)."),
      field(&O::paths, "paths")
          .def(std::vector<std::string>{"/api/v1/stream"})
          .doc("URL paths that accept WebSocket connections."),
      field(&O::tls_cert, "tls_cert")
          .def("")
          .doc("PEM certificate chain file: serve `wss://`/`https://` (with `tls_key`)."),
      field(&O::tls_key, "tls_key").def("").doc("PEM private key file for `tls_cert`."),
      field(&O::max_clients, "max_clients")
          .def(10000)
          .min(1)
          .doc("Connections beyond this are refused with HTTP 503."),
      field(&O::max_message_bytes, "max_message_bytes")
          .def(65536)
          .min(128)
          .doc("Largest frame a client may send; a bigger one closes it (code 1009)."),
      field(&O::allowed_origins, "allowed_origins")
          .def(std::vector<std::string>())
          .doc("Browser origins allowed to connect (`https://app.example.com`); empty = any. "
               "Clients that send no Origin (not browsers) are always allowed."),
      field(&O::keepalive_s, "keepalive_s")
          .def(60)
          .min(0)
          .doc("Ping a silent client after this many seconds, close it after twice as long "
               "without an answer; 0 = never."),
      field(&O::permessage_deflate, "permessage_deflate")
          .def(false)
          .doc("Offer permessage-deflate compression (costs CPU per client)."),
      field(&O::index, "index")
          .def(boost::json::object())
          .doc("Indexed fields, name -> JSON path in the payload (`device: data.DEVICE_ID`). "
               "Subscriptions filter on these names."),
      field(&O::query_params, "query_params")
          .def(boost::json::object())
          .doc("URL query parameter -> index name (`device_ids: device`); comma-separated values "
               "subscribe at connect time."),
      field(&O::stream_key, "stream_key")
          .def("")
          .doc("Index name whose value is the stream a throttle works per (e.g. `device`); empty "
               "= the message key, else its subject."),
      choice(&O::format, "format", {{"raw", Format::kRaw}, {"envelope", Format::kEnvelope}})
          .def("raw")
          .doc("Default delivery: `raw` sends the payload as is; `envelope` wraps it with "
               "subscription id, subject and timestamp. A client may pick with `?format=`."),
      field(&O::auth, "auth")
          .def(boost::json::value("none"))
          .doc("`none`, or `{mode: tokens, tokens: [{token, tenant, capabilities, scopes}]}`, or "
               "`{mode: jwt, secret, ...}` (HS256). See Auth."),
      field(&O::max_rate, "max_rate")
          .def(0)
          .min(0)
          .doc("Cap on frames per second per stream of one subscription; 0 = no cap."),
      field(&O::max_burst, "max_burst").def(0).min(0).doc("Cap on a throttle's burst; 0 = no cap."),
      field(&O::min_interval_ms, "min_interval_ms")
          .def(0)
          .min(0)
          .doc("Least time between two frames of one stream of a subscription."),
      field(&O::max_buffer, "max_buffer")
          .def(100)
          .min(0)
          .doc("Cap on frames a throttle holds per stream while they wait."),
      field(&O::keep_latest, "keep_latest")
          .def(false)
          .doc("Default for subscriptions that do not say: a throttled stream keeps only its "
               "newest waiting frame."),
      field(&O::max_subscriptions, "max_subscriptions")
          .def(100)
          .min(1)
          .doc("Subscriptions per connection."),
      field(&O::max_filter_values, "max_filter_values")
          .def(10000)
          .min(1)
          .doc("Values one filter field may list."),
      field(&O::send_queue, "send_queue")
          .def(1024)
          .min(1)
          .doc("Frames queued per client before `slow_client_policy` applies."),
      choice(&O::slow_client_policy, "slow_client_policy",
             {{"drop_oldest", SlowClientPolicy::kDropOldest},
              {"keep_latest", SlowClientPolicy::kKeepLatest},
              {"disconnect", SlowClientPolicy::kDisconnect}})
          .def("drop_oldest")
          .doc("When a client's queue is full: drop its oldest frame, replace an older frame of "
               "the same stream, or close it (1008)."),
      field(&O::viewer, "viewer").def(false).doc("Serve the live viewer page at `GET /`."),
      field(&O::clients_endpoint, "clients_endpoint")
          .def(false)
          .doc("Serve `GET <path>/clients` (JSON list of clients and counters; needs an admin "
               "identity when auth is on)."),
      field(&O::io_threads, "io_threads")
          .def(1)
          .min(1)
          .max(64)
          .doc("Threads running the network I/O."),
      field(&O::throttle_tick_ms, "throttle_tick_ms")
          .def(10)
          .min(1)
          .max(1000)
          .doc("How often held (throttled) frames are checked for release."),
  };
  return table;
}

namespace {

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  return true;
}

void read_index(const WebSocketSettings& settings, PluginOptions& out,
                std::vector<std::string>& errors) {
  for (const auto& [name, path] : settings.index) {
    std::string where = "index." + std::string(name);
    if (!valid_name(name) || name == "subject") {
      errors.push_back(where +
                       ": an index name is letters, digits, '_' or '-' (and not "
                       "'subject', which filters on the subject)");
      continue;
    }
    if (!path.is_string()) {
      errors.push_back(where + " must be a JSON path string such as data.DEVICE_ID");
      continue;
    }
    try {
      out.hub.index.push_back({std::string(name), JsonPath(path.get_string())});
    } catch (const std::exception& e) {
      errors.push_back(where + ": " + e.what());
    }
  }
}

}  // namespace

PluginOptions read_options(const WebSocketSettings& settings, std::vector<std::string>& errors) {
  PluginOptions out;
  ServerOptions& server = out.server;
  if (!common::split_listen(settings.listen, server.host, server.port))
    errors.push_back("setting 'listen' must be host:port, e.g. 127.0.0.1:8080");

  std::set<std::string> seen_paths;
  for (const auto& path : settings.paths) {
    if (path.size() < 2 || path.front() != '/' || path.find_first_of("?# ") != std::string::npos)
      errors.push_back("paths: '" + path + "' must start with '/' and not be '/' alone");
    else if (path.size() > 8 && path.compare(path.size() - 8, 8, "/clients") == 0)
      errors.push_back("paths: '" + path + "' ends in /clients, which is the clients listing");
    else if (!seen_paths.insert(path).second)
      errors.push_back("paths: '" + path + "' is listed twice");
    else
      server.paths.push_back(path);
  }
  if (settings.paths.empty()) errors.push_back("setting 'paths' must not be empty");

  server.tls_cert = settings.tls_cert;
  server.tls_key = settings.tls_key;
  if (server.tls_cert.empty() != server.tls_key.empty())
    errors.push_back("settings 'tls_cert' and 'tls_key' go together: set both or neither");

  server.max_message_bytes = settings.max_message_bytes;
  server.allowed_origins = settings.allowed_origins;
  server.keepalive_s = settings.keepalive_s;
  server.permessage_deflate = settings.permessage_deflate;
  server.format = settings.format;
  server.viewer = settings.viewer;
  server.clients_endpoint = settings.clients_endpoint;
  server.io_threads = settings.io_threads;
  server.throttle_tick_ms = settings.throttle_tick_ms;

  read_index(settings, out, errors);
  std::set<std::string> index_names;
  for (const auto& f : out.hub.index) index_names.insert(f.name);

  for (const auto& [param, target] : settings.query_params) {
    std::string where = "query_params." + std::string(param);
    if (param == "token" || param == "format" || param == "subject") {
      errors.push_back(where + ": '" + std::string(param) + "' is a reserved query parameter");
    } else if (!target.is_string() || !index_names.count(std::string(target.get_string()))) {
      errors.push_back(where + " must name an index field (one of the keys of 'index')");
    } else {
      server.query_params[std::string(param)] = std::string(target.get_string());
    }
  }

  HubOptions& hub = out.hub;
  hub.stream_key = settings.stream_key;
  if (!hub.stream_key.empty() && !index_names.count(hub.stream_key))
    errors.push_back("setting 'stream_key' must name an index field, got '" + hub.stream_key + "'");
  hub.caps.max_rate = settings.max_rate;
  hub.caps.max_burst = settings.max_burst;
  hub.caps.min_interval_ms = settings.min_interval_ms;
  hub.caps.max_buffer = settings.max_buffer;
  hub.caps.keep_latest = settings.keep_latest;
  hub.send_queue = settings.send_queue;
  hub.slow_client_policy = settings.slow_client_policy;
  hub.max_clients = settings.max_clients;
  hub.max_subscriptions = settings.max_subscriptions;
  hub.max_filter_values = settings.max_filter_values;

  out.auth = AuthConfig::parse(&settings.auth, index_names, errors);
  return out;
}

}  // namespace sluice::websocket
