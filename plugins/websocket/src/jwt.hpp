// HS256 JSON Web Tokens (RFC 7519) with OpenSSL: just what the WebSocket
// plugin needs to check a browser's bearer token, plus signing for tests.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::websocket {

std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

// `header.payload.signature` for the given claims, signed with `secret`.
std::string jwt_sign_hs256(const boost::json::object& claims, std::string_view secret);

struct JwtCheck {
  std::string_view secret;
  int64_t now_unix = 0;
  int64_t leeway_s = 0;
  std::string_view issuer;    // empty: not checked
  std::string_view audience;  // empty: not checked
};

// The claims of a valid token, or nothing with `error` saying why not: a bad
// shape, an algorithm other than HS256, a wrong signature, a time claim
// (`exp`, `nbf`, `iat`) that is not a number, expired (`exp`), not yet valid
// (`nbf`), or the wrong issuer or audience.
std::optional<boost::json::object> jwt_verify_hs256(std::string_view token, const JwtCheck& check,
                                                    std::string& error);

}  // namespace sluice::websocket
