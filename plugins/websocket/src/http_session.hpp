// One accepted TCP (or TLS) connection before it becomes a WebSocket: reads
// HTTP requests, serves the viewer page and the clients listing, and checks
// an upgrade (path, origin, token, capacity, URL subscription) before handing
// the stream to a WsSession.
#pragma once

#include <memory>
#include <optional>
#include <sluice/common/url_target.hpp>

#include "beast_types.hpp"
#include "client.hpp"
#include "protocol.hpp"
#include "server_context.hpp"

namespace sluice::websocket {

template <class Stream>
class HttpSession final : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  HttpSession(Stream&& stream, ServerContext& context, std::string remote);
  void run();

 private:
  void do_read();
  void on_read(beast::error_code ec);
  void handle(Request request);
  void upgrade(Request request, const common::UrlTarget& target);
  // Hands the stream over to a new WebSocket session, which answers the upgrade.
  template <class Session>
  void start_session(Request request, ClientInfo info, std::optional<SubscribeRequest> initial);
  typename WsTransportOf<Stream>::type ws_transport();
  void respond(http::status status, std::string body, const char* content_type, bool keep_alive);
  void on_written(bool keep_alive, beast::error_code ec);
  // The bearer token of a request: `Authorization: Bearer ...` or `?token=`.
  static std::string bearer_token(const Request& request, const common::UrlTarget& target);

  Stream stream_;
  ServerContext& context_;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> response_;
};

extern template class HttpSession<PlainStream>;
extern template class HttpSession<TlsStream>;

}  // namespace sluice::websocket
