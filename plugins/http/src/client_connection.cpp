#include "client_connection.hpp"

namespace sluice::http_plugin {
std::string serialize_request(const Request& request) {
  std::string out;
  out.reserve(256 + request.body().size());
  http::serializer<true, http::string_body> serializer{request};
  beast::error_code ec;
  while (!ec && !serializer.is_done()) {
    serializer.next(ec, [&](beast::error_code&, const auto& buffers) {
      for (auto b : beast::buffers_range_ref(buffers))
        out.append(static_cast<const char*>(b.data()), b.size());
      serializer.consume(beast::buffer_bytes(buffers));
    });
  }
  return out;
}

net::awaitable<Exchange> ClientConnection::roundtrip(const std::string& request,
                                                     std::chrono::milliseconds timeout) {
  Exchange out;
  lowest().expires_after(timeout);
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBytes);
  if (plain) {
    auto [wec, w] = co_await net::async_write(*plain, net::buffer(request), kUseTuple);
    out.error = wec;
    if (!wec) {
      auto [rec, r] = co_await http::async_read(*plain, buffer, parser, kUseTuple);
      out.error = rec;
    }
  } else {
    auto [wec, w] = co_await net::async_write(*tls, net::buffer(request), kUseTuple);
    out.error = wec;
    if (!wec) {
      auto [rec, r] = co_await http::async_read(*tls, buffer, parser, kUseTuple);
      out.error = rec;
    }
  }
  if (!out.error) out.response = parser.release();
  co_return out;
}

}  // namespace sluice::http_plugin
