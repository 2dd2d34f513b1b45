// HS256 tokens from clients: any text is verified or refused with a reason,
// never crashes; base64url decoding inverts encoding; a token sluice signs
// verifies.
#include <boost/json.hpp>
#include <string>

#include "fuzz_input.hpp"
#include "jwt.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::websocket;
  std::string_view text = sluice::fuzz::as_text(data, size);
  JwtCheck check{"fuzz-secret", 1'700'000'000, 5, "", ""};
  std::string error;
  if (!jwt_verify_hs256(text, check, error)) FUZZ_CHECK(!error.empty());
  JwtCheck strict{"fuzz-secret", 1'700'000'000, 0, "issuer", "audience"};
  jwt_verify_hs256(text, strict, error);

  auto decoded = base64url_decode(base64url_encode(text));
  FUZZ_CHECK(decoded && *decoded == text);
  base64url_decode(text);

  // Claims as sluice's tests sign them (valid UTF-8: JSON cannot carry other bytes).
  boost::json::object claims{{"sub", base64url_encode(text.substr(0, 48))}, {"exp", 1'800'000'000}};
  std::string token = jwt_sign_hs256(claims, "fuzz-secret");
  auto verified = jwt_verify_hs256(token, check, error);
  FUZZ_CHECK(verified && verified->at("sub") == claims.at("sub"));
  return 0;
}
