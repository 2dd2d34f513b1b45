#include "jwt.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace sluice::websocket {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

// A NumericDate claim (RFC 7519 4.1.4): absent, or seconds as a JSON number.
// Anything else (`"exp":"9999999999"`, null, an object) makes the token
// invalid: reading it as "no expiry" would accept a token its issuer meant
// to limit.
struct TimeClaim {
  bool valid = true;
  std::optional<int64_t> seconds;
};

TimeClaim time_claim(const boost::json::object& claims, std::string_view name) {
  const auto* v = claims.if_contains(name);
  if (!v) return {};
  if (v->is_int64()) return {true, v->get_int64()};
  if (v->is_uint64())
    return {true, static_cast<int64_t>(std::min<uint64_t>(v->get_uint64(), INT64_MAX))};
  if (v->is_double()) {
    double d = v->get_double();
    if (d >= -9.2e18 && d <= 9.2e18) return {true, static_cast<int64_t>(d)};
  }
  return {false, std::nullopt};
}

bool audience_matches(const boost::json::value& aud, std::string_view audience) {
  if (aud.is_string()) return aud.get_string() == audience;
  if (!aud.is_array()) return false;
  for (const auto& item : aud.get_array())
    if (item.is_string() && item.get_string() == audience) return true;
  return false;
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3f]);
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;  // tolerate padding
    auto pos = kAlphabet.find(c);
    if (pos == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

std::string jwt_sign_hs256(const boost::json::object& claims, std::string_view secret) {
  std::string signing_input = base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." +
                              base64url_encode(boost::json::serialize(claims));
  return signing_input + "." + base64url_encode(hmac_sha256(secret, signing_input));
}

std::optional<boost::json::object> jwt_verify_hs256(std::string_view token, const JwtCheck& check,
                                                    std::string& error) {
  auto first = token.find('.');
  auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    error = "not a JWT (expected header.payload.signature)";
    return std::nullopt;
  }
  auto header_text = base64url_decode(token.substr(0, first));
  auto payload_text = base64url_decode(token.substr(first + 1, second - first - 1));
  auto signature = base64url_decode(token.substr(second + 1));
  if (!header_text || !payload_text || !signature) {
    error = "JWT is not base64url";
    return std::nullopt;
  }
  boost::system::error_code ec;
  auto header = boost::json::parse(*header_text, ec);
  if (ec || !header.is_object()) {
    error = "JWT header is not a JSON object";
    return std::nullopt;
  }
  const auto* alg = header.as_object().if_contains("alg");
  // Only HS256: accepting the token's own choice of algorithm ("none", RS256
  // with the secret as a public key) is the classic JWT hole.
  if (!alg || !alg->is_string() || alg->get_string() != "HS256") {
    error = "JWT algorithm must be HS256";
    return std::nullopt;
  }
  std::string expected = hmac_sha256(check.secret, token.substr(0, second));
  if (signature->size() != expected.size() ||
      CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) != 0) {
    error = "JWT signature does not match";
    return std::nullopt;
  }
  auto payload = boost::json::parse(*payload_text, ec);
  if (ec || !payload.is_object()) {
    error = "JWT payload is not a JSON object";
    return std::nullopt;
  }
  auto& claims = payload.as_object();
  for (std::string_view name : {"exp", "nbf", "iat"}) {
    if (!time_claim(claims, name).valid) {
      error = "JWT claim '" + std::string(name) + "' must be a number (seconds since 1970)";
      return std::nullopt;
    }
  }
  if (auto exp = time_claim(claims, "exp").seconds; exp && check.now_unix > *exp + check.leeway_s) {
    error = "JWT has expired";
    return std::nullopt;
  }
  if (auto nbf = time_claim(claims, "nbf").seconds; nbf && check.now_unix + check.leeway_s < *nbf) {
    error = "JWT is not valid yet (nbf)";
    return std::nullopt;
  }
  if (!check.issuer.empty()) {
    const auto* iss = claims.if_contains("iss");
    if (!iss || !iss->is_string() || iss->get_string() != check.issuer) {
      error = "JWT issuer is not '" + std::string(check.issuer) + "'";
      return std::nullopt;
    }
  }
  if (!check.audience.empty()) {
    const auto* aud = claims.if_contains("aud");
    if (!aud || !audience_matches(*aud, check.audience)) {
      error = "JWT audience does not include '" + std::string(check.audience) + "'";
      return std::nullopt;
    }
  }
  return std::move(claims);
}

}  // namespace sluice::websocket
