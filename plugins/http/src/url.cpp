#include "url.hpp"

#include <charconv>

namespace sluice::http_plugin {

std::optional<Url> parse_url(std::string_view text, std::string& error) {
  Url url;
  std::string_view rest;
  if (text.substr(0, 7) == "http://") {
    rest = text.substr(7);
    url.port = 80;
  } else if (text.substr(0, 8) == "https://") {
    rest = text.substr(8);
    url.tls = true;
    url.port = 443;
  } else {
    error = "URL '" + std::string(text) + "' must start with http:// or https://";
    return std::nullopt;
  }
  size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    url.target = std::string(rest.substr(slash));
    if (url.target.front() == '?') url.target.insert(0, "/");
  }
  if (authority.find('@') != std::string_view::npos) {
    error = "URL '" + std::string(text) + "': put credentials in a header, not in the URL";
    return std::nullopt;
  }
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "URL '" + std::string(text) + "': '[' without ']'";
      return std::nullopt;
    }
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      port = authority.substr(close + 2);
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) {
    error = "URL '" + std::string(text) + "' has no host";
    return std::nullopt;
  }
  url.host = std::string(host);
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      error = "URL '" + std::string(text) + "': port '" + std::string(port) + "' is not 1-65535";
      return std::nullopt;
    }
    url.port = static_cast<uint16_t>(value);
  }
  return url;
}

}  // namespace sluice::http_plugin
