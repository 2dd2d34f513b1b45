// sluice.kv's requests -> Redis commands (see kv_command.hpp).
#include "kv_command.hpp"

#include <boost/json.hpp>

namespace sluice::redis {

namespace {

// INCR, and PEXPIRE on the first increment of a window, atomically.
constexpr const char* kIncrScript =
    "local n = redis.call('INCR', KEYS[1]) "
    "if n == 1 and tonumber(ARGV[1]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end "
    "return n";

}  // namespace

std::vector<std::string> kv_command(std::string_view payload, std::string& error) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(payload, ec);
  if (ec || !v.is_object()) {
    error = "sluice.kv: the request is not a JSON object";
    return {};
  }
  const auto& o = v.get_object();
  auto text = [&](const char* name) -> std::string {
    auto* f = o.if_contains(name);
    if (!f) return {};
    if (f->is_string()) return std::string(f->get_string());
    return boost::json::serialize(*f);
  };
  std::string op = text("op"), key = text("key");
  int64_t ttl = 0;
  if (auto* t = o.if_contains("ttl_ms"); t && t->is_number()) ttl = t->to_number<int64_t>();
  if (key.empty()) {
    error = "sluice.kv: no key";
    return {};
  }
  if (ttl < 0) {
    error = "sluice.kv: ttl_ms must be >= 0";
    return {};
  }
  if (op == "get") return {"GET", key};
  if (op == "del") return {"DEL", key};
  if (op == "set") {
    if (!o.contains("value")) {
      error = "sluice.kv.set: no value";
      return {};
    }
    if (ttl > 0) return {"SET", key, text("value"), "PX", std::to_string(ttl)};
    return {"SET", key, text("value")};
  }
  if (op == "incr") return {"EVAL", kIncrScript, "1", key, std::to_string(ttl)};
  error = "sluice.kv: unknown op '" + op + "' (get, set, incr, del)";
  return {};
}

std::string kv_reply(const redisReply* r) {
  boost::json::object o;
  switch (r ? r->type : REDIS_REPLY_NIL) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      o["value"] = boost::json::string(std::string_view(r->str, r->len));
      break;
    case REDIS_REPLY_INTEGER:
      o["value"] = r->integer;
      break;
    default:
      o["value"] = nullptr;
  }
  return boost::json::serialize(o);
}

}  // namespace sluice::redis
