// AMQP URL parsing (see amqp_url.hpp).
#include "amqp_url.hpp"

#include <amqp.h>

#include <vector>

namespace sluice::rabbitmq {

std::optional<std::string> parse_amqp_url(std::string_view url, AmqpEndpoint& out) {
  if (url.empty()) return "the URL is empty";
  if (url.rfind("amqp://", 0) != 0 && url.rfind("amqps://", 0) != 0)
    return "'" + redact_url(url) + "' must start with amqp:// or amqps://";
  // amqp_parse_url writes into its argument and points `info` into it.
  std::vector<char> buffer(url.begin(), url.end());
  buffer.push_back('\0');
  amqp_connection_info info;
  amqp_default_connection_info(&info);
  int rc = amqp_parse_url(buffer.data(), &info);
  if (rc != AMQP_STATUS_OK)
    return "'" + redact_url(url) + "' is not a valid AMQP URL (" + amqp_error_string2(rc) +
           "; expected amqp[s]://[user[:password]@]host[:port][/vhost])";
  if (!info.host || !*info.host) return "'" + redact_url(url) + "' names no host";
  if (info.port <= 0 || info.port > 65535) return "'" + redact_url(url) + "' has a bad port";
  out.user = info.user ? info.user : "guest";
  out.password = info.password ? info.password : "guest";
  out.host = info.host;
  out.port = info.port;
  // amqp_parse_url leaves "/" for a URL without a path; "amqp://h/" gives "".
  out.vhost = info.vhost && *info.vhost ? info.vhost : "/";
  out.tls = info.ssl != 0;
  return std::nullopt;
}

std::string redact_url(std::string_view url) {
  size_t scheme = url.find("://");
  size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  size_t at = url.find('@', start);
  size_t slash = url.find('/', start);
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at))
    return std::string(url);
  size_t colon = url.find(':', start);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

}  // namespace sluice::rabbitmq
