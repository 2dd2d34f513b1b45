// Who may post to a webhook server: anyone, holders of a bearer token, or
// senders that sign the body with a shared secret (HMAC-SHA256, the
// GitHub `X-Hub-Signature-256: sha256=<hex>` style). Comparisons take the
// same time whatever matches, so timing tells an attacker nothing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::http_plugin {

enum class AuthMode { kNone, kBearer, kHmac };

struct AuthConfig {
  AuthMode mode = AuthMode::kNone;
  std::vector<std::string> tokens;
  std::string hmac_secret;
  std::string hmac_header = "x-hub-signature-256";  // lower case
  std::string hmac_prefix = "sha256=";
};

// Lower-case hex of HMAC-SHA256(secret, body).
std::string hmac_sha256_hex(std::string_view secret, std::string_view body);

// nullopt when the request may pass, else why not (for the 401 body).
// `authorization` and `signature` are the header values (empty: absent).
std::optional<std::string> check_auth(const AuthConfig& config, std::string_view authorization,
                                      std::string_view signature, std::string_view body);

}  // namespace sluice::http_plugin
