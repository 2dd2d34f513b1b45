// The websocket plugin's settings, declared once: the table drives `sluice
// check`, the JSON Schema and the README and fills WebSocketSettings, which
// read_options() checks and turns into the options below.
#pragma once

#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <map>
#include <sluice/settings_table.hpp>
#include <string>
#include <vector>

#include "auth.hpp"
#include "hub.hpp"

namespace sluice::websocket {

// The settings as written (defaults filled in).
struct WebSocketSettings {
  std::string listen;
  std::vector<std::string> paths;
  std::string tls_cert;
  std::string tls_key;
  size_t max_clients = 0;
  size_t max_message_bytes = 0;
  std::vector<std::string> allowed_origins;
  int keepalive_s = 0;
  bool permessage_deflate = false;
  boost::json::object index;         // index name -> JSON path
  boost::json::object query_params;  // URL parameter -> index name
  std::string stream_key;
  Format format = Format::kRaw;
  boost::json::value auth;
  double max_rate = 0;
  double max_burst = 0;
  int64_t min_interval_ms = 0;
  int64_t max_buffer = 0;
  bool keep_latest = false;
  size_t max_subscriptions = 0;
  size_t max_filter_values = 0;
  size_t send_queue = 0;
  SlowClientPolicy slow_client_policy = SlowClientPolicy::kDropOldest;
  bool viewer = false;
  bool clients_endpoint = false;
  int io_threads = 0;
  int throttle_tick_ms = 0;
};

const SettingsTable<WebSocketSettings>& websocket_settings();

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  std::vector<std::string> paths;
  std::string tls_cert;
  std::string tls_key;
  size_t max_message_bytes = 65536;
  std::vector<std::string> allowed_origins;  // empty: any origin
  int keepalive_s = 60;
  bool permessage_deflate = false;
  std::map<std::string, std::string> query_params;  // URL parameter -> index name
  Format format = Format::kRaw;
  bool viewer = false;
  bool clients_endpoint = false;
  int io_threads = 1;
  int throttle_tick_ms = 10;
};

struct PluginOptions {
  ServerOptions server;
  HubOptions hub;
  AuthConfig auth;
};

// The options from validated settings; problems the table cannot express
// (paths, index, auth...) are appended to `errors`.
PluginOptions read_options(const WebSocketSettings& settings, std::vector<std::string>& errors);

}  // namespace sluice::websocket
