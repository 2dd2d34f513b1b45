// The websocket plugin's settings, declared once: the table drives `sluice
// check`, the JSON Schema, the README and the typed options below.
#pragma once

#include <cstdint>
#include <map>
#include <sluice/settings.hpp>
#include <string>
#include <vector>

#include "auth.hpp"
#include "hub.hpp"

namespace sluice::websocket {

const SettingsSpec& websocket_settings();

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

// Typed options from validated settings; problems the table cannot express
// (paths, index, auth...) are appended to `errors`.
PluginOptions read_options(const Config& config, std::vector<std::string>& errors);

// "host:port" or "[v6]:port" -> parts; false when malformed.
bool split_listen(const std::string& listen, std::string& host, uint16_t& port);

}  // namespace sluice::websocket
