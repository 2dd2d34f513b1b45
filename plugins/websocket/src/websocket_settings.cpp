#include "websocket_settings.hpp"

#include <cctype>
#include <charconv>
#include <set>

namespace sluice::websocket {

const SettingsSpec& websocket_settings() {
  static const SettingsSpec spec{
      Setting::string("listen")
          .def("\"127.0.0.1:8080\"")
          .doc("Address and port of the HTTP/WebSocket listener (`[::1]:8080` for IPv6; port 0 "
               "picks a free one)."),
      Setting::list("paths")
          .def("[\"/api/v1/stream\"]")
          .doc("URL paths that accept WebSocket connections."),
      Setting::string("tls_cert")
          .def("\"\"")
          .doc("PEM certificate chain file: serve `wss://`/`https://` (with `tls_key`)."),
      Setting::string("tls_key").def("\"\"").doc("PEM private key file for `tls_cert`."),
      Setting::integer("max_clients")
          .def("10000")
          .min(1)
          .doc("Connections beyond this are refused with HTTP 503."),
      Setting::integer("max_message_bytes")
          .def("65536")
          .min(128)
          .doc("Largest frame a client may send; a bigger one closes it (code 1009)."),
      Setting::list("allowed_origins")
          .def("[]")
          .doc("Browser origins allowed to connect (`https://app.example.com`); empty = any. "
               "Clients that send no Origin (not browsers) are always allowed."),
      Setting::integer("keepalive_s")
          .def("60")
          .min(0)
          .doc("Ping a silent client after this many seconds, close it after twice as long "
               "without an answer; 0 = never."),
      Setting::boolean("permessage_deflate")
          .def("false")
          .doc("Offer permessage-deflate compression (costs CPU per client)."),
      Setting::object("index").def("{}").doc(
          "Indexed fields, name -> JSON path in the payload (`device: data.DEVICE_ID`). "
          "Subscriptions filter on these names."),
      Setting::object("query_params")
          .def("{}")
          .doc("URL query parameter -> index name (`device_ids: device`); comma-separated values "
               "subscribe at connect time."),
      Setting::string("stream_key")
          .def("\"\"")
          .doc("Index name whose value is the stream a throttle works per (e.g. `device`); empty "
               "= the message key, else its subject."),
      Setting::string("format")
          .def("\"raw\"")
          .one_of({"raw", "envelope"})
          .doc("Default delivery: `raw` sends the payload as is; `envelope` wraps it with "
               "subscription id, subject and timestamp. A client may pick with `?format=`."),
      Setting::any("auth")
          .def("\"none\"")
          .doc("`none`, or `{mode: tokens, tokens: [{token, tenant, capabilities, scopes}]}`, or "
               "`{mode: jwt, secret, ...}` (HS256). See Auth."),
      Setting::number("max_rate")
          .def("0")
          .min(0)
          .doc("Cap on frames per second per stream of one subscription; 0 = no cap."),
      Setting::number("max_burst").def("0").min(0).doc("Cap on a throttle's burst; 0 = no cap."),
      Setting::integer("min_interval_ms")
          .def("0")
          .min(0)
          .doc("Least time between two frames of one stream of a subscription."),
      Setting::integer("max_buffer")
          .def("100")
          .min(0)
          .doc("Cap on frames a throttle holds per stream while they wait."),
      Setting::boolean("keep_latest")
          .def("false")
          .doc("Default for subscriptions that do not say: a throttled stream keeps only its "
               "newest waiting frame."),
      Setting::integer("max_subscriptions").def("100").min(1).doc("Subscriptions per connection."),
      Setting::integer("max_filter_values")
          .def("10000")
          .min(1)
          .doc("Values one filter field may list."),
      Setting::integer("send_queue")
          .def("1024")
          .min(1)
          .doc("Frames queued per client before `slow_client_policy` applies."),
      Setting::string("slow_client_policy")
          .def("\"drop_oldest\"")
          .one_of({"drop_oldest", "keep_latest", "disconnect"})
          .doc("When a client's queue is full: drop its oldest frame, replace an older frame of "
               "the same stream, or close it (1008)."),
      Setting::boolean("viewer").def("false").doc("Serve the live viewer page at `GET /`."),
      Setting::boolean("clients_endpoint")
          .def("false")
          .doc("Serve `GET <path>/clients` (JSON list of clients and counters; needs an admin "
               "identity when auth is on)."),
      Setting::integer("io_threads")
          .def("1")
          .min(1)
          .max(64)
          .doc("Threads running the network I/O."),
      Setting::integer("throttle_tick_ms")
          .def("10")
          .min(1)
          .max(1000)
          .doc("How often held (throttled) frames are checked for release."),
  };
  return spec;
}

bool split_listen(const std::string& listen, std::string& host, uint16_t& port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const char* first = listen.data() + colon + 1;
  const char* last = listen.data() + listen.size();
  unsigned value = 0;
  auto [end, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || end != last || first == last || value > 65535) return false;
  port = static_cast<uint16_t>(value);
  return true;
}

namespace {

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  return true;
}

void read_index(const Config& config, PluginOptions& out, std::vector<std::string>& errors) {
  for (const auto& [name, path] : config.get("index")->get_object()) {
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

PluginOptions read_options(const Config& config, std::vector<std::string>& errors) {
  PluginOptions out;
  ServerOptions& server = out.server;
  if (!split_listen(config.get_string("listen"), server.host, server.port))
    errors.push_back("setting 'listen' must be host:port, e.g. 127.0.0.1:8080");

  std::set<std::string> seen_paths;
  for (const auto& path : config.get_list("paths")) {
    if (path.size() < 2 || path.front() != '/' || path.find_first_of("?# ") != std::string::npos)
      errors.push_back("paths: '" + path + "' must start with '/' and not be '/' alone");
    else if (path.size() > 8 && path.compare(path.size() - 8, 8, "/clients") == 0)
      errors.push_back("paths: '" + path + "' ends in /clients, which is the clients listing");
    else if (!seen_paths.insert(path).second)
      errors.push_back("paths: '" + path + "' is listed twice");
    else
      server.paths.push_back(path);
  }
  if (config.get_list("paths").empty()) errors.push_back("setting 'paths' must not be empty");

  server.tls_cert = config.get_string("tls_cert");
  server.tls_key = config.get_string("tls_key");
  if (server.tls_cert.empty() != server.tls_key.empty())
    errors.push_back("settings 'tls_cert' and 'tls_key' go together: set both or neither");

  server.max_message_bytes = static_cast<size_t>(config.get_int("max_message_bytes"));
  server.allowed_origins = config.get_list("allowed_origins");
  server.keepalive_s = static_cast<int>(config.get_int("keepalive_s"));
  server.permessage_deflate = config.get_bool("permessage_deflate");
  server.format = config.get_string("format") == "envelope" ? Format::kEnvelope : Format::kRaw;
  server.viewer = config.get_bool("viewer");
  server.clients_endpoint = config.get_bool("clients_endpoint");
  server.io_threads = static_cast<int>(config.get_int("io_threads"));
  server.throttle_tick_ms = static_cast<int>(config.get_int("throttle_tick_ms"));

  read_index(config, out, errors);
  std::set<std::string> index_names;
  for (const auto& f : out.hub.index) index_names.insert(f.name);

  for (const auto& [param, target] : config.get("query_params")->get_object()) {
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
  hub.stream_key = config.get_string("stream_key");
  if (!hub.stream_key.empty() && !index_names.count(hub.stream_key))
    errors.push_back("setting 'stream_key' must name an index field, got '" + hub.stream_key + "'");
  hub.caps.max_rate = config.get_number("max_rate");
  hub.caps.max_burst = config.get_number("max_burst");
  hub.caps.min_interval_ms = config.get_int("min_interval_ms");
  hub.caps.max_buffer = config.get_int("max_buffer");
  hub.caps.keep_latest = config.get_bool("keep_latest");
  hub.send_queue = static_cast<size_t>(config.get_int("send_queue"));
  std::string policy = config.get_string("slow_client_policy");
  hub.slow_client_policy = policy == "disconnect"    ? SlowClientPolicy::kDisconnect
                           : policy == "keep_latest" ? SlowClientPolicy::kKeepLatest
                                                     : SlowClientPolicy::kDropOldest;
  hub.max_clients = static_cast<size_t>(config.get_int("max_clients"));
  hub.max_subscriptions = static_cast<size_t>(config.get_int("max_subscriptions"));
  hub.max_filter_values = static_cast<size_t>(config.get_int("max_filter_values"));

  out.auth = AuthConfig::parse(config.get("auth"), index_names, errors);
  return out;
}

}  // namespace sluice::websocket
