// One kept-alive connection of the http client, plain or TLS, and one
// request/response exchange on it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "beast_types.hpp"

namespace sluice::http_plugin {

// Longest response body read (a reply or a polled document).
inline constexpr uint64_t kMaxResponseBytes = 64ull << 20;

// What one attempt brought: a response, or a network error.
struct Exchange {
  beast::error_code error;
  Response response;
};

// The bytes Beast would send for `request`, in one buffer: one send and no
// per-header buffer walk for each attempt.
std::string serialize_request(const Request& request);

struct ClientConnection {
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;  // kept: its capacity serves the next response

  beast::tcp_stream& lowest() { return plain ? *plain : beast::get_lowest_layer(*tls); }

  net::awaitable<Exchange> roundtrip(const std::string& request, std::chrono::milliseconds timeout);
};

}  // namespace sluice::http_plugin
