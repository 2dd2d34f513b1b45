#include "config/host_address.hpp"

#include <cctype>

namespace sluice::config {
namespace {

bool all_chars(std::string_view s, bool (*ok)(unsigned char)) {
  for (unsigned char c : s) {
    if (!ok(c)) return false;
  }
  return true;
}

bool hostname_char(unsigned char c) { return std::isalnum(c) || c == '-' || c == '.' || c == '_'; }
bool ipv6_char(unsigned char c) { return std::isxdigit(c) || c == ':' || c == '.'; }
bool zone_char(unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.'; }

// "fe80::1%eth0": an IPv6 address with an optional zone (interface) suffix.
bool is_ipv6(std::string_view s) {
  size_t percent = s.find('%');
  std::string_view zone = percent == std::string_view::npos ? "" : s.substr(percent + 1);
  std::string_view address = s.substr(0, percent);
  return address.find(':') != std::string_view::npos && all_chars(address, ipv6_char) &&
         (percent == std::string_view::npos || (!zone.empty() && all_chars(zone, zone_char)));
}
bool digit(unsigned char c) { return std::isdigit(c); }

}  // namespace

std::optional<std::string> host_port_problem(std::string_view address) {
  const std::string example = " (e.g. 127.0.0.1:9600 or [::1]:9600)";
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos)
    return "'" + std::string(address) + "' has no :port" + example;
  std::string_view host = address.substr(0, colon);
  std::string_view port = address.substr(colon + 1);
  if (port.empty() || port.size() > 5 || !all_chars(port, digit) ||
      std::stoi(std::string(port)) > 65535) {
    return "'" + std::string(address) + "': the port must be a number from 0 to 65535" + example;
  }
  if (host.empty()) return "'" + std::string(address) + "' has no host" + example;
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']' || !is_ipv6(host.substr(1, host.size() - 2))) {
      return "'" + std::string(address) + "': not a valid [IPv6] host" + example;
    }
    return std::nullopt;
  }
  if (host.find(':') != std::string_view::npos) {
    return "'" + std::string(address) + "': an IPv6 host goes in brackets" + example;
  }
  if (!all_chars(host, hostname_char)) {
    return "'" + std::string(address) + "': '" + std::string(host) +
           "' is not a host name or IP address" + example;
  }
  return std::nullopt;
}

}  // namespace sluice::config
