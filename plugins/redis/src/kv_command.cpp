// sluice.kv's requests -> Redis commands (see kv_command.hpp).
#include "kv_command.hpp"

#include <boost/json.hpp>
#include <optional>

namespace sluice::redis {

namespace {

// INCR, and PEXPIRE on the first increment of a window, atomically.
constexpr const char* kIncrScript =
    "local n = redis.call('INCR', KEYS[1]) "
    "if n == 1 and tonumber(ARGV[1]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end "
    "return n";

// A shared throttle's lease: up to ARGV[2] of the ARGV[1] tokens of the
// window KEYS[1] counts, which starts at its first take and lasts ARGV[3]
// ms. Never grants past the limit, so every node together stays within it.
// Returns {granted, ms until the window resets}.
constexpr const char* kTakeScript =
    "local limit, want, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]) "
    "local used = tonumber(redis.call('GET', KEYS[1]) or '0') "
    "local grant = math.max(0, math.min(want, limit - used)) "
    "if grant > 0 then redis.call('INCRBY', KEYS[1], grant) end "
    "local ttl = redis.call('PTTL', KEYS[1]) "
    "if ttl == -1 then redis.call('PEXPIRE', KEYS[1], window) ttl = window end "
    "if ttl < 0 then ttl = 0 end "
    "return {grant, ttl}";

// A whole number field >= `min`, or nothing.
std::optional<int64_t> whole_field(const boost::json::object& o, const char* name, int64_t min) {
  const auto* f = o.if_contains(name);
  if (!f || !(f->is_int64() || f->is_uint64())) return std::nullopt;
  int64_t n = f->is_int64() ? f->get_int64() : static_cast<int64_t>(f->get_uint64());
  if (n < min) return std::nullopt;
  return n;
}

std::vector<std::string> take_command(const boost::json::object& o, const std::string& key,
                                      std::string& error) {
  auto limit = whole_field(o, "limit", 1), count = whole_field(o, "count", 1),
       window = whole_field(o, "window_ms", 1);
  if (!limit || !count || !window) {
    error = "sluice.kv take: needs whole numbers limit >= 1, count >= 1 and window_ms >= 1";
    return {};
  }
  return {"EVAL",
          kTakeScript,
          "1",
          key,
          std::to_string(*limit),
          std::to_string(*count),
          std::to_string(*window)};
}

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
  if (op == "take") return take_command(o, key, error);
  error = "sluice.kv: unknown op '" + op + "' (get, set, incr, del, take)";
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
    case REDIS_REPLY_ARRAY: {  // take: {granted, reset_ms}
      boost::json::array values;
      for (size_t i = 0; i < r->elements; ++i)
        if (r->element[i]->type == REDIS_REPLY_INTEGER)
          values.push_back(r->element[i]->integer);
        else
          values.push_back(nullptr);
      o["value"] = std::move(values);
      break;
    }
    default:
      o["value"] = nullptr;
  }
  return boost::json::serialize(o);
}

}  // namespace sluice::redis
