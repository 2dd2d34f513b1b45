// Redis URL parsing (see redis_url.hpp).
#include "redis_url.hpp"

#include <charconv>

namespace sluice::redis {

namespace {

bool parse_int(std::string_view text, int& out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int v = 0;
      auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec == std::errc() && p == s.data() + i + 3) {
        out.push_back(static_cast<char>(v));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::optional<std::string> parse_db(std::string_view text, RedisEndpoint& out) {
  int db = 0;
  if (!parse_int(text, db) || db < 0)
    return "database '" + std::string(text) + "' is not a number >= 0";
  out.db = db;
  return std::nullopt;
}

}  // namespace

std::string RedisEndpoint::describe() const {
  if (!unix_path.empty()) return "unix:" + unix_path;
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

std::optional<std::string> parse_redis_url(std::string_view url, RedisEndpoint& out) {
  out = RedisEndpoint{};
  // Errors quote the URL without its password.
  std::string shown(url);
  if (size_t scheme = shown.find("://"), at = shown.rfind('@');
      scheme != std::string::npos && at != std::string::npos && at > scheme)
    shown.replace(scheme + 3, at - scheme - 3, "***");
  std::string quoted = "'" + shown + "'";
  if (url.rfind("unix:", 0) == 0) {
    std::string_view rest = url.substr(5);
    while (rest.size() > 1 && rest.substr(0, 2) == "//") rest.remove_prefix(1);
    std::string_view query;
    if (size_t q = rest.find('?'); q != std::string_view::npos) {
      query = rest.substr(q + 1);
      rest = rest.substr(0, q);
    }
    if (rest.empty() || rest[0] != '/')
      return quoted + " needs an absolute socket path: unix:/path/to/redis.sock";
    out.unix_path = std::string(rest);
    if (!query.empty()) {
      if (query.rfind("db=", 0) != 0) return quoted + ": the only query parameter is ?db=N";
      if (auto p = parse_db(query.substr(3), out)) return quoted + ": " + *p;
    }
    return std::nullopt;
  }
  std::string_view rest;
  if (url.rfind("redis://", 0) == 0) {
    rest = url.substr(8);
  } else if (url.rfind("rediss://", 0) == 0) {
    rest = url.substr(9);
    out.tls = true;
  } else {
    return quoted +
           " is not a Redis URL: redis://[user:password@]host[:port][/db] or "
           "unix:/path/to/redis.sock";
  }
  std::string_view path;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view auth = rest.substr(0, at);
    rest = rest.substr(at + 1);
    if (size_t colon = auth.find(':'); colon != std::string_view::npos) {
      out.user = percent_decode(auth.substr(0, colon));
      out.password = percent_decode(auth.substr(colon + 1));
    } else {
      out.password = percent_decode(auth);  // redis://secret@host: a password alone
    }
  }
  std::string_view host = rest, port;
  if (!rest.empty() && rest[0] == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return quoted + ": unclosed '[' in the host";
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return quoted + ": expected ':port' after ']'";
      port = after.substr(1);
    }
  } else if (size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty()) return quoted + " names no host";
  out.host = std::string(host);
  if (!port.empty() || rest.ends_with(":")) {
    int p = 0;
    if (!parse_int(port, p) || p < 1 || p > 65535)
      return quoted + ": port '" + std::string(port) + "' is not a number 1-65535";
    out.port = static_cast<uint16_t>(p);
  }
  if (!path.empty())
    if (auto p = parse_db(path, out)) return quoted + ": " + *p;
  return std::nullopt;
}

std::optional<std::string> parse_host_port(std::string_view text, uint16_t default_port,
                                           RedisEndpoint& out) {
  out = RedisEndpoint{};
  out.port = default_port;
  std::string_view host = text, port;
  if (!text.empty() && text[0] == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return "'" + std::string(text) + "': unclosed '['";
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return "'" + std::string(text) + "': expected ':port'";
      port = text.substr(close + 2);
    }
  } else if (size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) return "'" + std::string(text) + "' names no host (host:port)";
  out.host = std::string(host);
  if (!port.empty()) {
    int p = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || ptr != port.data() + port.size() || p < 1 || p > 65535)
      return "'" + std::string(text) + "': port '" + std::string(port) +
             "' is not a number 1-65535";
    out.port = static_cast<uint16_t>(p);
  }
  return std::nullopt;
}

}  // namespace sluice::redis
