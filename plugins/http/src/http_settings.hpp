// The http plugin's settings, declared once: the table drives `sluice
// check`, the JSON Schema and the README, and fills HttpSettings, which
// read_options() checks and turns into the options of the one role a
// connector plays (webhook server, client sink or poller).
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <sluice/settings_table.hpp>
#include <string>
#include <vector>

#include "body_split.hpp"
#include "path_template.hpp"
#include "request_auth.hpp"
#include "url.hpp"

namespace sluice::http_plugin {

enum class Mode { kServer, kClient, kPoll };

// The settings as written (defaults filled in).
struct HttpSettings {
  Mode mode = Mode::kServer;
  // server
  std::string listen;
  std::vector<std::string> paths;
  std::vector<std::string> methods;
  Split split = Split::kNone;
  bool require_json = false;
  int64_t max_body_bytes = 0;
  int64_t request_timeout_ms = 0;
  int64_t max_connections = 0;
  int64_t success_status = 0;
  int64_t retry_after_s = 0;
  bool reply = false;
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  AuthMode auth = AuthMode::kNone;
  std::vector<std::string> tokens;
  std::string hmac_secret;
  std::string hmac_header;
  std::string hmac_prefix;
  int64_t io_threads = 0;
  // client and poll
  std::string url;
  std::string method;
  boost::json::object headers;
  std::string content_type;
  std::string tls_ca;
  bool tls_verify = true;
  int64_t timeout_ms = 0;
  int64_t max_attempts = 0;
  int64_t retry_initial_ms = 0;
  int64_t retry_max_ms = 0;
  // poll
  int64_t interval_ms = 0;
  std::string array_path;
  std::string subject;
};

const SettingsTable<HttpSettings>& http_settings();

struct ServerOptions {
  std::string host;
  uint16_t port = 0;
  std::vector<PathTemplate> paths;
  std::vector<std::string> methods;  // upper case
  Split split = Split::kNone;
  bool require_json = false;
  size_t max_body_bytes = 0;
  uint32_t request_timeout_ms = 0;
  size_t max_connections = 0;
  unsigned success_status = 200;
  int64_t retry_after_s = 1;
  bool reply = false;
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  AuthConfig auth;
  int io_threads = 1;
};

// A header whose value is rendered per message (`${subject}`...).
struct HeaderTemplate {
  std::string name;
  std::string value;
};

struct ClientOptions {
  std::string url;  // a template: ${data.PATH}, ${subject}, ${key}, ${header.NAME}
  std::string method = "POST";
  std::vector<HeaderTemplate> headers;
  std::string content_type;
  std::string tls_ca;
  bool tls_verify = true;
  uint32_t timeout_ms = 10000;
  size_t max_connections = 8;
  int max_attempts = 5;
  int64_t retry_initial_ms = 100;
  int64_t retry_max_ms = 10000;
  int io_threads = 1;
};

struct PollOptions {
  Url url;
  std::string array_path;
  std::string subject;
  uint32_t interval_ms = 10000;
};

struct HttpOptions {
  Mode mode = Mode::kServer;
  ServerOptions server;
  ClientOptions client;
  PollOptions poll;
};

// The options from validated settings; what the table cannot express
// (paths, listen address, auth, URL) is appended to `errors`.
HttpOptions read_options(const HttpSettings& settings, std::vector<std::string>& errors);

}  // namespace sluice::http_plugin
