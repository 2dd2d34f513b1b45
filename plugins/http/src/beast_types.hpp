// Short names for the Beast/Asio types the http plugin uses.
#pragma once

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace sluice::http_plugin {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// co_await op(..., kUseTuple) gives (error_code, result...) instead of throwing.
inline constexpr net::as_tuple_t<net::use_awaitable_t<>> kUseTuple{};

}  // namespace sluice::http_plugin
