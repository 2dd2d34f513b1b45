// An http:// or https:// URL split into what a client connects to and what
// it asks for.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::http_plugin {

struct Url {
  bool tls = false;
  std::string host;
  uint16_t port = 0;
  std::string target = "/";  // path and query

  // "host:port" for the Host header and the connection pool's key.
  std::string authority() const { return host + ":" + std::to_string(port); }
};

// nullopt with `error` for anything but http(s)://host[:port][/path][?query].
std::optional<Url> parse_url(std::string_view text, std::string& error);

}  // namespace sluice::http_plugin
