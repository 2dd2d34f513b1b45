#include "http_settings.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <sluice/common/json_path.hpp>
#include <sluice/common/listen_address.hpp>
#include <sluice/tls_settings.hpp>

#include "message_template.hpp"

namespace sluice::http_plugin {

const SettingsTable<HttpSettings>& http_settings() {
  using O = HttpSettings;
  static const SettingsTable<O> table{
      choice(&O::mode, "mode",
             {{"server", Mode::kServer}, {"client", Mode::kClient}, {"poll", Mode::kPoll}})
          .def("server")
          .doc("`server` receives webhooks (a source, and answers requests); `client` sends "
               "messages to a URL (a sink, and makes requests); `poll` GETs a URL on an interval "
               "(a source)."),
      field(&O::listen, "listen")
          .def("127.0.0.1:8081")
          .doc("server: address and port to listen on (`[::1]:8081` for IPv6; port 0 picks a "
               "free one)."),
      field(&O::paths, "paths")
          .def(std::vector<std::string>{"/ingest/${subject}"})
          .doc("server: accepted paths. `${subject}` takes the message's subject from the path "
               "(at the end: the rest of the path); other `${name}`s become headers "
               "`path.<name>`. Without `${subject}` the subject is the path without its "
               "leading `/`."),
      field(&O::methods, "methods")
          .def(std::vector<std::string>{"POST", "PUT"})
          .doc("server: accepted methods (others: 405)."),
      choice(&O::split, "split",
             {{"none", Split::kNone},
              {"json_array", Split::kJsonArray},
              {"json_lines", Split::kJsonLines}})
          .def("none")
          .doc("server: the body as one message, or one message per element of a JSON array, or "
               "per line of JSON lines. The response waits for all of them."),
      field(&O::require_json, "require_json")
          .def(false)
          .doc("server: refuse bodies that are not JSON (400) or not sent as "
               "`application/json` (415)."),
      field(&O::max_body_bytes, "max_body_bytes")
          .def(1048576)
          .min(1)
          .doc("server: larger bodies are refused with 413."),
      field(&O::request_timeout_ms, "request_timeout_ms")
          .def(30000)
          .min(1)
          .doc("server: time to read a request and get every message confirmed; then 504."),
      field(&O::max_connections, "max_connections")
          .def(1024)
          .min(1)
          .doc("server: open connections beyond this get 503 and are closed. client: "
               "connections (and requests in flight) per connector."),
      field(&O::success_status, "success_status")
          .def(200)
          .min(200)
          .max(299)
          .doc("server: status sent once every output confirmed (200, 202, 204...)."),
      field(&O::retry_after_s, "retry_after_s")
          .def(1)
          .min(0)
          .doc("server: `Retry-After` of a 503 sent when sluice pushes back."),
      field(&O::reply, "reply")
          .def(false)
          .doc("server: messages are requests: a route or `sluice.on_request` handler answers "
               "and its reply is the response (its header `http-status` sets the code)."),
      field(&O::tls_cert, "tls_cert").def("").doc("server: PEM certificate chain: serve HTTPS."),
      field(&O::tls_key, "tls_key").def("").doc("server: PEM private key of `tls_cert`."),
      field(&O::tls_client_ca, "tls_client_ca")
          .def("")
          .doc("server: PEM CA file; clients must present a certificate it signed."),
      choice(&O::auth, "auth",
             {{"none", AuthMode::kNone}, {"bearer", AuthMode::kBearer}, {"hmac", AuthMode::kHmac}})
          .def("none")
          .doc("server: `bearer` needs `Authorization: Bearer <one of tokens>`; `hmac` needs "
               "`hmac_header` = `hmac_prefix` + hex HMAC-SHA256 of the body with `hmac_secret`."),
      field(&O::tokens, "tokens")
          .def(std::vector<std::string>())
          .doc("server: bearer tokens accepted (`${API_TOKEN}` reads one from the environment).")
          .hide(),
      field(&O::hmac_secret, "hmac_secret")
          .def("")
          .doc("server: HMAC secret (write `${WEBHOOK_SECRET}`: read from the environment).")
          .hide(),
      field(&O::hmac_header, "hmac_header")
          .def("X-Hub-Signature-256")
          .doc("server: header carrying the signature (GitHub's; Stripe-like senders differ)."),
      field(&O::hmac_prefix, "hmac_prefix")
          .def("sha256=")
          .doc("server: text before the hex digest in `hmac_header`."),
      field(&O::io_threads, "io_threads")
          .def(1)
          .min(1)
          .max(64)
          .doc("Threads running the network I/O."),
      field(&O::url, "url")
          .def("")
          .doc("client: URL template: `${data.id}` (a payload field, as in routes; "
               "percent-encoded), `${subject}`, `${key}`, `${header.NAME}` "
               "(`http://svc/orders/${data.id}`). poll: the URL to GET."),
      field(&O::method, "method")
          .def("POST")
          .one_of({"POST", "PUT", "PATCH"})
          .doc("client: request method."),
      field(&O::headers, "headers")
          .def(boost::json::object())
          .doc("client, poll: request headers, name -> template (`Authorization: \"Bearer "
               "${API_TOKEN}\"`, `X-Id: \"${data.id}\"`; payload fields: client only)."),
      field(&O::content_type, "content_type")
          .def("application/json")
          .doc("client: Content-Type of the body, unless the message has a `content-type` "
               "header."),
      field(&O::tls_ca, "tls_ca")
          .def("")
          .doc("client, poll: PEM CA file to verify servers (default: the system's)."),
      field(&O::tls_verify, "tls_verify")
          .def(true)
          .doc("client, poll: verify the server's certificate and name; false only for tests."),
      field(&O::timeout_ms, "timeout_ms")
          .def(10000)
          .min(1)
          .doc("client, poll: time for one attempt (connect, send, answer)."),
      field(&O::max_attempts, "max_attempts")
          .def(5)
          .min(1)
          .doc("client: attempts on 429, 5xx or a network error before the message fails."),
      field(&O::retry_initial_ms, "retry_initial_ms")
          .def(100)
          .min(1)
          .doc("client: first backoff step (doubles per attempt, with jitter)."),
      field(&O::retry_max_ms, "retry_max_ms")
          .def(10000)
          .min(1)
          .doc("client: longest wait between attempts, also for a server's `Retry-After`."),
      field(&O::interval_ms, "interval_ms").def(10000).min(10).doc("poll: time between two GETs."),
      field(&O::array_path, "array_path")
          .def("")
          .doc("poll: JSON path of an array in the response (`data.items`) whose elements "
               "become messages; empty: the body is one message."),
      field(&O::subject, "subject")
          .def("")
          .doc("poll: subject of the messages (default: the URL)."),
  };
  return table;
}

namespace {

void read_server(const HttpSettings& s, ServerOptions& out, std::vector<std::string>& errors) {
  if (!common::split_listen(s.listen, out.host, out.port))
    errors.push_back("setting 'listen' must be host:port, e.g. 127.0.0.1:8081");
  std::set<std::string> seen;
  for (const auto& text : s.paths) {
    std::string error;
    auto path = PathTemplate::compile(text, error);
    if (!path)
      errors.push_back("paths: " + error);
    else if (!seen.insert(text).second)
      errors.push_back("paths: '" + text + "' is listed twice");
    else
      out.paths.push_back(std::move(*path));
  }
  if (s.paths.empty()) errors.push_back("setting 'paths' must not be empty");
  for (auto method : s.methods) {
    std::transform(method.begin(), method.end(), method.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (method != "POST" && method != "PUT" && method != "PATCH")
      errors.push_back("methods: '" + method + "' is not POST, PUT or PATCH");
    out.methods.push_back(method);
  }
  out.split = s.split;
  out.require_json = s.require_json;
  out.max_body_bytes = static_cast<size_t>(s.max_body_bytes);
  out.request_timeout_ms = static_cast<uint32_t>(std::min<int64_t>(s.request_timeout_ms, 1 << 30));
  out.max_connections = static_cast<size_t>(s.max_connections);
  out.success_status = static_cast<unsigned>(s.success_status);
  out.retry_after_s = s.retry_after_s;
  out.reply = s.reply;
  out.tls_cert = s.tls_cert;
  out.tls_key = s.tls_key;
  out.tls_client_ca = s.tls_client_ca;
  check_settings_file(s.tls_cert, "tls_cert", errors);
  check_settings_file(s.tls_key, "tls_key", errors);
  check_settings_file(s.tls_client_ca, "tls_client_ca", errors);
  if (s.tls_cert.empty() != s.tls_key.empty())
    errors.push_back("settings 'tls_cert' and 'tls_key' go together: set both or neither");
  if (!s.tls_client_ca.empty() && s.tls_cert.empty())
    errors.push_back(
        "setting 'tls_client_ca' needs 'tls_cert' and 'tls_key' (client "
        "certificates are checked over HTTPS only)");
  out.auth.mode = s.auth;
  out.auth.tokens = s.tokens;
  out.auth.hmac_secret = s.hmac_secret;
  out.auth.hmac_header = s.hmac_header;
  std::transform(out.auth.hmac_header.begin(), out.auth.hmac_header.end(),
                 out.auth.hmac_header.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  out.auth.hmac_prefix = s.hmac_prefix;
  if (s.auth == AuthMode::kBearer && s.tokens.empty())
    errors.push_back("auth 'bearer' needs at least one entry in 'tokens'");
  for (const auto& t : s.tokens)
    if (t.empty())
      errors.push_back("tokens: a token must not be empty (is its environment variable empty?)");
  if (s.auth == AuthMode::kHmac && s.hmac_secret.empty())
    errors.push_back("auth 'hmac' needs 'hmac_secret' (is its environment variable empty?)");
  if (s.hmac_header.empty()) errors.push_back("setting 'hmac_header' must not be empty");
  out.io_threads = static_cast<int>(s.io_threads);
}

void read_headers(const HttpSettings& s, ClientOptions& out, std::vector<std::string>& errors) {
  for (const auto& [name, value] : s.headers) {
    if (!value.is_string()) {
      errors.push_back("headers." + std::string(name) + " must be a string");
      continue;
    }
    std::string error;
    auto t = MessageTemplate::compile(value.get_string(), MessageTemplate::Use::kHeader, error);
    if (!t)
      errors.push_back("headers." + std::string(name) + ": " + error);
    else if (s.mode == Mode::kPoll && t->reads_payload())
      errors.push_back("headers." + std::string(name) +
                       ": a poll request has no payload to read fields from");
    out.headers.push_back({std::string(name), std::string(value.get_string())});
  }
}

void read_client(const HttpSettings& s, ClientOptions& out, std::vector<std::string>& errors) {
  if (s.url.empty()) {
    errors.push_back("mode '" + std::string(s.mode == Mode::kClient ? "client" : "poll") +
                     "' needs setting 'url'");
  } else {
    std::string error;
    if (!MessageTemplate::compile(s.url, MessageTemplate::Use::kUrl, error)) {
      errors.push_back("url: " + error);
    } else {
      // A URL whose host comes from a placeholder is checked per message.
      std::string probe = s.url;
      for (size_t at = probe.find("${"); at != std::string::npos; at = probe.find("${")) {
        size_t close = probe.find('}', at);
        probe.replace(at, close - at + 1, "x");
      }
      if (!parse_url(probe, error)) errors.push_back("url: " + error);
    }
  }
  out.url = s.url;
  out.method = s.method;
  read_headers(s, out, errors);
  out.content_type = s.content_type;
  out.tls_ca = s.tls_ca;
  out.tls_verify = s.tls_verify;
  check_settings_file(s.tls_ca, "tls_ca", errors);
  out.timeout_ms = static_cast<uint32_t>(std::min<int64_t>(s.timeout_ms, 1 << 30));
  out.max_connections = static_cast<size_t>(s.max_connections);
  out.max_attempts = static_cast<int>(std::min<int64_t>(s.max_attempts, 1000));
  out.retry_initial_ms = s.retry_initial_ms;
  out.retry_max_ms = s.retry_max_ms;
  out.io_threads = static_cast<int>(s.io_threads);
}

void read_poll(const HttpSettings& s, PollOptions& out, std::vector<std::string>& errors) {
  if (s.url.find("${") != std::string::npos)
    errors.push_back("url: a poll URL is fixed text (no ${...})");
  std::string error;
  if (auto url = parse_url(s.url, error)) out.url = *url;
  if (!s.array_path.empty() && !common::JsonPath::compile(s.array_path, error))
    errors.push_back("array_path: " + error);
  out.array_path = s.array_path;
  out.subject = s.subject.empty() ? s.url : s.subject;
  out.interval_ms = static_cast<uint32_t>(std::min<int64_t>(s.interval_ms, 1 << 30));
}

}  // namespace

HttpOptions read_options(const HttpSettings& settings, std::vector<std::string>& errors) {
  HttpOptions out;
  out.mode = settings.mode;
  switch (settings.mode) {
    case Mode::kServer:
      read_server(settings, out.server, errors);
      break;
    case Mode::kClient:
      read_client(settings, out.client, errors);
      break;
    case Mode::kPoll:
      read_client(settings, out.client, errors);
      read_poll(settings, out.poll, errors);
      break;
  }
  return out;
}

}  // namespace sluice::http_plugin
