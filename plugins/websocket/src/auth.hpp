// Who a WebSocket client is and what it may read: no auth, a static table of
// bearer tokens, or HS256 JWTs. Either way the result is an Identity whose
// tenant, capabilities and scopes become hard limits on every subscription.
#pragma once

#include <boost/json.hpp>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "clock.hpp"

namespace sluice::websocket {

struct Identity {
  std::string name = "anonymous";  // a token's label or the JWT's `sub`, for logs and stats
  std::string tenant;              // empty when auth is off; "*" = every tenant
  bool admin = false;              // may read `<path>/clients`
  // Index name -> the only values this client may ever receive for it.
  std::map<std::string, std::vector<std::string>> constraints;
};

struct AuthConfig {
  enum class Mode { kNone, kTokens, kJwt };
  Mode mode = Mode::kNone;
  std::string tenant_field = "tenant";               // index the tenant restricts
  std::string capability_field = "kind";             // index the capabilities restrict
  std::unordered_map<std::string, Identity> tokens;  // bearer token -> identity
  // HS256 JWT settings.
  std::string secret;
  std::string issuer;
  std::string audience;
  std::string tenant_claim = "tenant";
  std::string capabilities_claim = "capabilities";
  std::string scopes_claim = "scopes";
  std::string admin_claim = "admin";
  int64_t leeway_s = 30;

  // Reads the `auth` setting (nullptr or "none": no auth). Every problem is
  // appended to `errors`, naming where it is.
  static AuthConfig parse(const boost::json::value* setting,
                          const std::set<std::string>& index_names,
                          std::vector<std::string>& errors);
};

class Authenticator {
 public:
  Authenticator(AuthConfig config, std::set<std::string> index_names, const Clock& clock)
      : config_(std::move(config)), index_names_(std::move(index_names)), clock_(clock) {}

  bool enabled() const { return config_.mode != AuthConfig::Mode::kNone; }

  // The identity behind `token` ("" when the client sent none), or nothing
  // with `error` saying why it is refused.
  std::optional<Identity> authenticate(std::string_view token, std::string& error) const;

 private:
  std::optional<Identity> from_jwt(std::string_view token, std::string& error) const;

  AuthConfig config_;
  std::set<std::string> index_names_;
  const Clock& clock_;
};

}  // namespace sluice::websocket
