#include "auth.hpp"

#include "jwt.hpp"

namespace sluice::websocket {
namespace {

using boost::json::object;
using boost::json::value;

// A list of strings, or a single string (for JWT claims, split on spaces the
// way OAuth writes `scope`).
bool read_strings(const value& v, std::vector<std::string>& out, bool split_spaces = false) {
  if (v.is_string()) {
    std::string_view s = v.get_string();
    if (!split_spaces) {
      out.emplace_back(s);
      return true;
    }
    size_t start = 0;
    while (start < s.size()) {
      size_t end = s.find(' ', start);
      if (end == std::string_view::npos) end = s.size();
      if (end > start) out.emplace_back(s.substr(start, end - start));
      start = end + 1;
    }
    return true;
  }
  if (!v.is_array()) return false;
  for (const auto& item : v.get_array()) {
    if (!item.is_string()) return false;
    out.emplace_back(item.get_string());
  }
  return true;
}

bool has_star(const std::vector<std::string>& values) {
  for (const auto& v : values)
    if (v == "*") return true;
  return false;
}

// Adds the limits of one identity: tenant, capabilities, scopes. Returns
// false with `error` when a limit names something that is not indexed
// (refusing is safer than silently not enforcing it).
bool add_limits(Identity& id, const std::string& tenant,
                const std::vector<std::string>* capabilities, const value* scopes,
                const AuthConfig& config, const std::set<std::string>& index_names,
                std::string& error) {
  id.tenant = tenant;
  if (tenant != "*") {
    if (!index_names.count(config.tenant_field)) {
      error = "tenant field '" + config.tenant_field + "' is not in `index`";
      return false;
    }
    id.constraints[config.tenant_field] = {tenant};
  }
  if (capabilities && !has_star(*capabilities)) {
    if (!index_names.count(config.capability_field)) {
      error = "capability field '" + config.capability_field + "' is not in `index`";
      return false;
    }
    id.constraints[config.capability_field] = *capabilities;
  }
  if (scopes) {
    if (!scopes->is_object()) {
      error = "scopes must be a mapping of index name to a list of values";
      return false;
    }
    for (const auto& [name, values] : scopes->get_object()) {
      std::vector<std::string> list;
      if (!read_strings(values, list)) {
        error = "scope '" + std::string(name) + "' must be a list of strings";
        return false;
      }
      if (!index_names.count(std::string(name))) {
        error = "scope '" + std::string(name) + "' is not an index name";
        return false;
      }
      if (!has_star(list)) id.constraints[std::string(name)] = std::move(list);
    }
  }
  return true;
}

std::string string_field(const object& o, std::string_view key, std::string def,
                         std::vector<std::string>& errors, const std::string& where) {
  const auto* v = o.if_contains(key);
  if (!v) return def;
  if (!v->is_string()) {
    errors.push_back(where + "." + std::string(key) + " must be a string");
    return def;
  }
  return std::string(v->get_string());
}

void parse_tokens(const object& auth, AuthConfig& config, const std::set<std::string>& index_names,
                  std::vector<std::string>& errors) {
  const auto* list = auth.if_contains("tokens");
  if (!list || !list->is_array() || list->get_array().empty()) {
    errors.push_back("auth.tokens must be a non-empty list of {token, tenant, ...}");
    return;
  }
  size_t i = 0;
  for (const auto& entry : list->get_array()) {
    std::string where = "auth.tokens[" + std::to_string(i++) + "]";
    if (!entry.is_object()) {
      errors.push_back(where + " must be a mapping");
      continue;
    }
    const auto& o = entry.get_object();
    for (const auto& [key, v] : o) {
      if (key != "token" && key != "tenant" && key != "capabilities" && key != "scopes" &&
          key != "admin" && key != "name")
        errors.push_back(where + ": unknown key '" + std::string(key) +
                         "' (expected token, tenant, capabilities, scopes, admin, name)");
    }
    std::string token = string_field(o, "token", "", errors, where);
    if (token.empty()) {
      errors.push_back(where + ".token is required and must not be empty");
      continue;
    }
    if (!o.contains("tenant")) {
      errors.push_back(where + ".tenant is required (\"*\" for every tenant)");
      continue;
    }
    Identity id;
    id.name = string_field(o, "name", where, errors, where);
    std::string tenant = string_field(o, "tenant", "", errors, where);
    std::vector<std::string> caps;
    const auto* caps_value = o.if_contains("capabilities");
    if (caps_value && !read_strings(*caps_value, caps))
      errors.push_back(where + ".capabilities must be a list of strings");
    if (const auto* admin = o.if_contains("admin")) {
      if (!admin->is_bool())
        errors.push_back(where + ".admin must be true or false");
      else
        id.admin = admin->get_bool();
    }
    std::string error;
    if (!add_limits(id, tenant, caps_value ? &caps : nullptr, o.if_contains("scopes"), config,
                    index_names, error)) {
      errors.push_back(where + ": " + error);
      continue;
    }
    if (!config.tokens.emplace(token, std::move(id)).second)
      errors.push_back(where + ": the same token is listed twice");
  }
}

void parse_jwt(const object& auth, AuthConfig& config, const std::set<std::string>& index_names,
               std::vector<std::string>& errors) {
  for (const auto& [key, v] : auth) {
    static const std::set<std::string_view> known = {
        "mode",         "secret",          "issuer",
        "audience",     "tenant_claim",    "capabilities_claim",
        "scopes_claim", "admin_claim",     "leeway_s",
        "tenant_field", "capability_field"};
    if (!known.count(key))
      errors.push_back("auth: unknown key '" + std::string(key) + "' for mode jwt");
  }
  config.secret = string_field(auth, "secret", "", errors, "auth");
  if (config.secret.size() < 16)
    errors.push_back("auth.secret is required for mode jwt (at least 16 bytes)");
  config.issuer = string_field(auth, "issuer", "", errors, "auth");
  config.audience = string_field(auth, "audience", "", errors, "auth");
  config.tenant_claim = string_field(auth, "tenant_claim", config.tenant_claim, errors, "auth");
  config.capabilities_claim =
      string_field(auth, "capabilities_claim", config.capabilities_claim, errors, "auth");
  config.scopes_claim = string_field(auth, "scopes_claim", config.scopes_claim, errors, "auth");
  config.admin_claim = string_field(auth, "admin_claim", config.admin_claim, errors, "auth");
  if (const auto* leeway = auth.if_contains("leeway_s")) {
    if (!leeway->is_int64() || leeway->get_int64() < 0)
      errors.push_back("auth.leeway_s must be a non-negative integer");
    else
      config.leeway_s = leeway->get_int64();
  }
  if (!index_names.count(config.tenant_field))
    errors.push_back("auth mode jwt needs the tenant field '" + config.tenant_field +
                     "' in `index` (or set auth.tenant_field)");
}

}  // namespace

AuthConfig AuthConfig::parse(const value* setting, const std::set<std::string>& index_names,
                             std::vector<std::string>& errors) {
  AuthConfig config;
  if (!setting || (setting->is_string() && setting->get_string() == "none")) return config;
  if (!setting->is_object()) {
    errors.push_back("setting 'auth' must be \"none\" or a mapping with mode: tokens | jwt");
    return config;
  }
  const auto& auth = setting->get_object();
  std::string mode = string_field(auth, "mode", "", errors, "auth");
  config.tenant_field = string_field(auth, "tenant_field", config.tenant_field, errors, "auth");
  config.capability_field =
      string_field(auth, "capability_field", config.capability_field, errors, "auth");
  if (mode == "none") {
    return config;
  } else if (mode == "tokens") {
    config.mode = Mode::kTokens;
    for (const auto& [key, v] : auth)
      if (key != "mode" && key != "tokens" && key != "tenant_field" && key != "capability_field")
        errors.push_back("auth: unknown key '" + std::string(key) + "' for mode tokens");
    parse_tokens(auth, config, index_names, errors);
  } else if (mode == "jwt") {
    config.mode = Mode::kJwt;
    parse_jwt(auth, config, index_names, errors);
  } else {
    errors.push_back("auth.mode is '" + mode + "', expected one of: none, tokens, jwt");
  }
  return config;
}

std::optional<Identity> Authenticator::authenticate(std::string_view token,
                                                    std::string& error) const {
  switch (config_.mode) {
    case AuthConfig::Mode::kNone:
      return Identity{};
    case AuthConfig::Mode::kTokens: {
      if (token.empty()) {
        error = "a bearer token is required";
        return std::nullopt;
      }
      auto it = config_.tokens.find(std::string(token));
      if (it == config_.tokens.end()) {
        error = "unknown token";
        return std::nullopt;
      }
      return it->second;
    }
    case AuthConfig::Mode::kJwt:
      return from_jwt(token, error);
  }
  return std::nullopt;
}

std::optional<Identity> Authenticator::from_jwt(std::string_view token, std::string& error) const {
  if (token.empty()) {
    error = "a bearer token is required";
    return std::nullopt;
  }
  JwtCheck check{config_.secret, clock_.unix_seconds(), config_.leeway_s, config_.issuer,
                 config_.audience};
  auto claims = jwt_verify_hs256(token, check, error);
  if (!claims) return std::nullopt;
  Identity id;
  if (const auto* sub = claims->if_contains("sub"); sub && sub->is_string())
    id.name = std::string(sub->get_string());
  const auto* tenant = claims->if_contains(config_.tenant_claim);
  if (!tenant || !tenant->is_string() || tenant->get_string().empty()) {
    error = "JWT has no '" + config_.tenant_claim + "' claim";
    return std::nullopt;
  }
  std::vector<std::string> caps;
  const auto* caps_value = claims->if_contains(config_.capabilities_claim);
  if (caps_value && !read_strings(*caps_value, caps, true)) {
    error = "JWT claim '" + config_.capabilities_claim + "' must be a list of strings";
    return std::nullopt;
  }
  if (const auto* admin = claims->if_contains(config_.admin_claim))
    id.admin = admin->is_bool() && admin->get_bool();
  if (!add_limits(id, std::string(tenant->get_string()), caps_value ? &caps : nullptr,
                  claims->if_contains(config_.scopes_claim), config_, index_names_, error)) {
    error = "JWT refused: " + error;
    return std::nullopt;
  }
  return id;
}

}  // namespace sluice::websocket
