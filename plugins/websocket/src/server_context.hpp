// What every connection of the WebSocket server shares: options, the hub,
// the authenticator, the viewer page, the TLS context, counters and logging.
#pragma once

#include <atomic>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <functional>
#include <sluice/plugin.hpp>
#include <string>

#include "auth.hpp"
#include "hub.hpp"
#include "websocket_settings.hpp"

namespace sluice::websocket {

using LogFn = std::function<void(LogLevel, const std::string&)>;

struct ServerCounters {
  std::atomic<uint64_t> connections{0};      // WebSocket handshakes completed
  std::atomic<uint64_t> rejected{0};         // upgrades refused (auth, origin, full, bad query)
  std::atomic<uint64_t> protocol_errors{0};  // `error` answers sent
};

struct ServerContext {
  const ServerOptions& options;
  Hub& hub;
  const Authenticator& auth;
  const std::string& viewer_html;
  boost::asio::ssl::context* tls;  // null: plain TCP
  ServerCounters& counters;
  LogFn log;
};

}  // namespace sluice::websocket
