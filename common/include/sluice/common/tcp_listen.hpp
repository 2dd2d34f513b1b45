// Opening the TCP listener of a plugin that runs a server (websocket, http):
// the address checked, SO_REUSEADDR so that a restart does not wait out
// TIME_WAIT, and the longest listen queue the system allows.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <string>

namespace sluice::common {

// Opens, binds and listens `acceptor` on host:port (port 0: any free one).
// Returns "" or what went wrong.
inline std::string listen_tcp(boost::asio::ip::tcp::acceptor& acceptor, const std::string& host,
                              uint16_t port) {
  namespace net = boost::asio;
  boost::system::error_code ec;
  auto address = net::ip::make_address(host, ec);
  if (ec) return "listen address '" + host + "' is not an IP address";
  net::ip::tcp::endpoint endpoint(address, port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message();
  return "";
}

}  // namespace sluice::common
