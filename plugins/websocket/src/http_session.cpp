#include "http_session.hpp"

#include <algorithm>
#include <cctype>

#include "ws_session.hpp"

namespace sluice::websocket {
namespace {

constexpr auto kHttpTimeout = std::chrono::seconds(30);
constexpr size_t kMaxRequestBody = 8192;

}  // namespace

template <class Stream>
HttpSession<Stream>::HttpSession(Stream&& stream, ServerContext& context, std::string remote)
    : stream_(std::move(stream)), context_(context), remote_(std::move(remote)) {}

template <class Stream>
void HttpSession<Stream>::run() {
  auto self = this->shared_from_this();
  net::dispatch(stream_.get_executor(), [self] {
    beast::get_lowest_layer(self->stream_).expires_after(kHttpTimeout);
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      self->stream_.async_handshake(ssl::stream_base::server, [self](beast::error_code ec) {
        if (ec) {
          self->context_.log(LogLevel::kDebug,
                             "TLS handshake with " + self->remote_ + " failed: " + ec.message());
          return;
        }
        self->do_read();
      });
    } else {
      self->do_read();
    }
  });
}

template <class Stream>
void HttpSession<Stream>::do_read() {
  parser_.emplace();
  parser_->body_limit(kMaxRequestBody);
  parser_->header_limit(16 * 1024);
  beast::get_lowest_layer(stream_).expires_after(kHttpTimeout);
  http::async_read(
      stream_, buffer_, *parser_,
      [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
}

template <class Stream>
void HttpSession<Stream>::on_read(beast::error_code ec) {
  if (ec == http::error::end_of_stream || ec == net::error::eof) {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_send, ignored);
    return;
  }
  if (ec) return;  // timeout, reset, malformed request: drop the connection
  handle(parser_->release());
}

template <class Stream>
std::string HttpSession<Stream>::bearer_token(const Request& request,
                                              const common::UrlTarget& target) {
  auto header = request[http::field::authorization];
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() > kBearer.size() &&
      std::equal(kBearer.begin(), kBearer.end(), header.begin(),
                 [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
    return std::string(header.substr(kBearer.size()));
  return target.param("token").value_or("");
}

template <class Stream>
void HttpSession<Stream>::handle(Request request) {
  common::UrlTarget target = common::parse_url_target(request.target());
  const ServerOptions& options = context_.options;
  bool keep_alive = request.keep_alive();
  bool is_stream_path =
      std::find(options.paths.begin(), options.paths.end(), target.path) != options.paths.end();

  if (is_stream_path && ws::is_upgrade(request)) return upgrade(std::move(request), target);
  if (request.method() != http::verb::get)
    return respond(http::status::method_not_allowed, "only GET\n", "text/plain", keep_alive);
  if (is_stream_path)
    return respond(http::status::upgrade_required,
                   "this is a WebSocket endpoint: connect with ws:// or wss://\n", "text/plain",
                   keep_alive);
  if (options.viewer && (target.path == "/" || target.path == "/index.html"))
    return respond(http::status::ok, context_.viewer_html, "text/html; charset=utf-8", keep_alive);
  if (options.clients_endpoint) {
    for (const auto& path : options.paths) {
      if (target.path != path + "/clients") continue;
      if (context_.auth.enabled()) {
        std::string error;
        auto identity = context_.auth.authenticate(bearer_token(request, target), error);
        if (!identity)
          return respond(http::status::unauthorized, error + "\n", "text/plain", keep_alive);
        if (!identity->admin)
          return respond(http::status::forbidden, "the clients listing needs an admin identity\n",
                         "text/plain", keep_alive);
      }
      return respond(http::status::ok, context_.hub.clients_json(), "application/json", keep_alive);
    }
  }
  respond(http::status::not_found, "not found\n", "text/plain", keep_alive);
}

template <class Stream>
void HttpSession<Stream>::upgrade(Request request, const common::UrlTarget& target) {
  const ServerOptions& options = context_.options;
  auto refuse = [&](http::status status, std::string why) {
    context_.counters.rejected.fetch_add(1, std::memory_order_relaxed);
    context_.log(LogLevel::kDebug, "refused WebSocket from " + remote_ + ": " + why);
    respond(status, why + "\n", "text/plain", false);
  };

  auto origin = request[http::field::origin];
  if (!origin.empty() && !options.allowed_origins.empty() &&
      std::none_of(options.allowed_origins.begin(), options.allowed_origins.end(),
                   [&](const std::string& o) { return o == "*" || o == origin; }))
    return refuse(http::status::forbidden, "origin '" + std::string(origin) + "' is not allowed");

  std::string error;
  auto identity = context_.auth.authenticate(bearer_token(request, target), error);
  if (!identity) return refuse(http::status::unauthorized, error);

  ClientInfo info;
  info.remote = remote_;
  info.path = target.path;
  info.format = options.format;
  if (auto format = target.param("format")) {
    if (*format == "raw") {
      info.format = Format::kRaw;
    } else if (*format == "envelope") {
      info.format = Format::kEnvelope;
    } else {
      return refuse(http::status::bad_request, "format must be raw or envelope");
    }
  }

  // Filters in the URL (e.g. ?device_ids=a,b) make a subscription "query".
  std::optional<SubscribeRequest> initial;
  for (const auto& [param, value] : target.params) {
    auto mapped = options.query_params.find(param);
    if (mapped == options.query_params.end() && param != "subject") continue;
    if (!initial) initial.emplace().id = "query";
    if (param == "subject") {
      initial->subject = value;
      continue;
    }
    auto values = common::split_list(value);
    auto& list = initial->fields[mapped->second];
    list.insert(list.end(), values.begin(), values.end());
  }
  if (initial) {
    for (const auto& [name, values] : initial->fields)
      if (values.empty() || values.size() > context_.hub.options().max_filter_values)
        return refuse(http::status::bad_request,
                      "query parameter for '" + name + "' needs 1 to " +
                          std::to_string(context_.hub.options().max_filter_values) +
                          " comma-separated values");
    if (auto problem = context_.hub.check_subscription(*identity, *initial))
      return refuse(
          problem->code == "forbidden" ? http::status::forbidden : http::status::bad_request,
          problem->message);
  }
  info.identity = std::move(*identity);

  if (!context_.hub.reserve_slot())
    return refuse(http::status::service_unavailable, "too many clients");

  beast::get_lowest_layer(stream_).expires_never();
  using Transport = typename WsTransportOf<Stream>::type;
  // TLS sessions always support deflate (one instantiation; see ws_session_tls.cpp).
  constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  if (kTls || options.permessage_deflate) {
    start_session<WsSession<Transport, true>>(std::move(request), std::move(info),
                                              std::move(initial));
  } else if constexpr (!kTls) {
    start_session<WsSession<Transport, false>>(std::move(request), std::move(info),
                                               std::move(initial));
  }
}

template <class Stream>
template <class Session>
void HttpSession<Stream>::start_session(Request request, ClientInfo info,
                                        std::optional<SubscribeRequest> initial) {
  std::make_shared<Session>(ws_transport(), context_, std::move(info), std::move(initial))
      ->accept(std::move(request));
}

template <class Stream>
typename WsTransportOf<Stream>::type HttpSession<Stream>::ws_transport() {
  if constexpr (std::is_same_v<Stream, PlainStream>) {
    return stream_.release_socket();
  } else {
    return std::move(stream_);
  }
}

template <class Stream>
void HttpSession<Stream>::respond(http::status status, std::string body, const char* content_type,
                                  bool keep_alive) {
  response_ = std::make_shared<http::response<http::string_body>>(status, 11);
  response_->set(http::field::server, "sluice");
  response_->set(http::field::content_type, content_type);
  response_->set(http::field::cache_control, "no-store");
  response_->keep_alive(keep_alive);
  response_->body() = std::move(body);
  response_->prepare_payload();
  beast::get_lowest_layer(stream_).expires_after(kHttpTimeout);
  http::async_write(stream_, *response_,
                    [self = this->shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                      self->on_written(keep_alive, ec);
                    });
}

template <class Stream>
void HttpSession<Stream>::on_written(bool keep_alive, beast::error_code ec) {
  response_.reset();
  if (ec) return;
  if (keep_alive) return do_read();
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
  } else {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }
}

template class HttpSession<PlainStream>;
template class HttpSession<TlsStream>;

}  // namespace sluice::websocket
