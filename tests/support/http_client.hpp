// A tiny synchronous HTTP/1.1 client (Boost.Beast) for admin-endpoint tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace sluice::test {

struct HttpResponse {
  int status = 0;  // 0: no response at all (refused, timed out...): see `error`
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string error;
};

// One request on a fresh connection ("Connection: close"). Never throws for
// network trouble: a failed request has status 0 and an error text, so it
// works inside wait_until while a server is starting.
HttpResponse http_request(const std::string& host, std::uint16_t port, const std::string& method,
                          const std::string& target, const std::string& body = "",
                          const std::map<std::string, std::string>& headers = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(5));

inline HttpResponse http_get(const std::string& host, std::uint16_t port, const std::string& target,
                             std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  return http_request(host, port, "GET", target, "", {}, timeout);
}

}  // namespace sluice::test
