// Short names for the Beast/Asio types the server uses, and the two
// transport streams a session can run on.
#pragma once

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace sluice::websocket {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ws = beast::websocket;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// What a WebSocket session runs on once the upgrade is done. A plain one
// needs only the socket: Beast's WebSocket stream keeps its own timeouts, and
// a tcp_stream's timers and executors cost an idle client ~700 bytes. A TLS
// one keeps its stream, which holds the TLS state.
template <class HttpStream>
struct WsTransportOf {
  using type = HttpStream;
};
template <>
struct WsTransportOf<PlainStream> {
  using type = tcp::socket;
};
using PlainWsTransport = WsTransportOf<PlainStream>::type;

inline tcp::socket& socket_of(tcp::socket& socket) { return socket; }
inline tcp::socket& socket_of(beast::tcp_stream& stream) { return stream.socket(); }
using Request = http::request<http::string_body>;

}  // namespace sluice::websocket
