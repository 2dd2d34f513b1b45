#include "request_auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>

namespace sluice::http_plugin {
namespace {

bool same(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string hmac_sha256_hex(std::string_view secret, std::string_view body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

std::optional<std::string> check_auth(const AuthConfig& config, std::string_view authorization,
                                      std::string_view signature, std::string_view body) {
  switch (config.mode) {
    case AuthMode::kNone:
      return std::nullopt;
    case AuthMode::kBearer: {
      constexpr std::string_view kScheme = "bearer ";
      if (authorization.size() <= kScheme.size() ||
          lower(authorization.substr(0, kScheme.size())) != kScheme)
        return "missing 'Authorization: Bearer <token>' header";
      std::string_view token = authorization.substr(kScheme.size());
      bool known = false;
      for (const auto& t : config.tokens) known = same(token, t) || known;  // no early exit
      if (!known) return "unknown bearer token";
      return std::nullopt;
    }
    case AuthMode::kHmac: {
      if (signature.empty()) return "missing '" + config.hmac_header + "' signature header";
      if (signature.substr(0, config.hmac_prefix.size()) != config.hmac_prefix)
        return "signature header must start with '" + config.hmac_prefix + "'";
      std::string given = lower(signature.substr(config.hmac_prefix.size()));
      if (!same(given, hmac_sha256_hex(config.hmac_secret, body)))
        return "signature does not match the body";
      return std::nullopt;
    }
  }
  return "unknown auth mode";
}

}  // namespace sluice::http_plugin
