// A listener's "host:port" setting ("127.0.0.1:8080", "[::1]:0"), shared by
// the plugins that run servers (websocket, http).
#pragma once

#include <cstdint>
#include <string>

namespace sluice::common {

// "host:port" or "[v6]:port" -> parts; false when malformed.
bool split_listen(const std::string& listen, std::string& host, uint16_t& port);

}  // namespace sluice::common
