#include "protocol.hpp"

#include <boost/json.hpp>
#include <cmath>

namespace sluice::websocket {
namespace {

namespace json = boost::json;

ProtocolError error(std::string code, std::string message, std::string id = {}) {
  return ProtocolError{std::move(code), std::move(message), std::move(id)};
}

// A scalar as the text the index compares with.
std::optional<std::string> value_text(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_int64() || v.is_uint64() || v.is_double() || v.is_bool()) return json::serialize(v);
  return std::nullopt;
}

std::optional<ProtocolError> read_id(const json::object& frame, std::string& id) {
  const auto* v = frame.if_contains("id");
  if (!v) return error("bad_frame", "'id' is required");
  auto text = value_text(*v);
  if (!text || text->empty() || text->size() > kMaxSubscriptionIdBytes)
    return error("bad_frame", "'id' must be a non-empty string of at most 64 bytes");
  id = std::move(*text);
  return std::nullopt;
}

std::optional<ProtocolError> read_filter(const json::value& v, SubscribeRequest& sub,
                                         size_t max_values) {
  if (!v.is_object()) return error("bad_filter", "'filter' must be an object", sub.id);
  for (const auto& [name, values] : v.get_object()) {
    if (name == "subject") {
      if (!values.is_string())
        return error("bad_filter", "'filter.subject' must be a string pattern", sub.id);
      sub.subject = std::string(values.get_string());
      continue;
    }
    std::vector<std::string> list;
    auto add = [&](const json::value& item) {
      auto text = value_text(item);
      if (!text) return false;
      list.push_back(std::move(*text));
      return true;
    };
    if (values.is_array()) {
      for (const auto& item : values.get_array())
        if (!add(item))
          return error("bad_filter",
                       "'filter." + std::string(name) + "' must hold strings or numbers", sub.id);
    } else if (!add(values)) {
      return error("bad_filter",
                   "'filter." + std::string(name) + "' must be a value or a list of values",
                   sub.id);
    }
    if (list.empty())
      return error("bad_filter", "'filter." + std::string(name) + "' is an empty list", sub.id);
    if (list.size() > max_values)
      return error("bad_filter",
                   "'filter." + std::string(name) + "' has more than " +
                       std::to_string(max_values) + " values",
                   sub.id);
    sub.fields[std::string(name)] = std::move(list);
  }
  return std::nullopt;
}

std::optional<double> non_negative_number(const json::value& value) {
  if (!value.is_number()) return std::nullopt;
  double d = value.to_number<double>();
  // boost::json reads 0e400 as NaN and 1e400 as infinity: neither is a
  // rate, a burst or an interval (NaN would pass every comparison).
  if (!std::isfinite(d) || d < 0) return std::nullopt;
  return d;
}

std::optional<ProtocolError> read_throttle(const json::value& v, SubscribeRequest& sub) {
  if (!v.is_object()) return error("bad_frame", "'throttle' must be an object", sub.id);
  auto& t = sub.throttle;
  for (const auto& [name, value] : v.get_object()) {
    if (name == "keep_latest") {
      if (!value.is_bool())
        return error("bad_frame", "'throttle.keep_latest' must be true or false", sub.id);
      t.keep_latest = value.get_bool();
      continue;
    }
    auto n = non_negative_number(value);
    if (!n)
      return error("bad_frame", "'throttle." + std::string(name) + "' must be a number >= 0",
                   sub.id);
    if (name == "rate") {
      t.rate = *n;
    } else if (name == "burst") {
      t.burst = *n;
    } else if (name == "min_interval_ms" || name == "buffer") {
      // Whole numbers with a bound, before the cast: a client's 1e300 must
      // not reach int64_t (undefined) or clock arithmetic (overflow).
      constexpr double kMaxIntervalMs = 86'400'000;  // one day
      constexpr double kMaxBuffer = 1'000'000'000;   // the connector's cap applies after
      bool interval = name == "min_interval_ms";
      double most = interval ? kMaxIntervalMs : kMaxBuffer;
      if (*n > most)
        return error("bad_frame",
                     "'throttle." + std::string(name) + "' must be at most " +
                         std::to_string(static_cast<int64_t>(most)) +
                         (interval ? " (one day)" : ""),
                     sub.id);
      (interval ? t.min_interval_ms : t.buffer) = static_cast<int64_t>(*n);
    } else {
      return error("unknown_field",
                   "unknown throttle field '" + std::string(name) +
                       "' (expected rate, burst, min_interval_ms, keep_latest, buffer)",
                   sub.id);
    }
  }
  return std::nullopt;
}

std::variant<ControlFrame, ProtocolError> parse_subscribe(const json::object& frame,
                                                          size_t max_values) {
  SubscribeRequest sub;
  if (auto e = read_id(frame, sub.id)) return *e;
  for (const auto& [name, value] : frame) {
    if (name == "type" || name == "id") continue;
    std::optional<ProtocolError> e;
    if (name == "filter") {
      e = read_filter(value, sub, max_values);
    } else if (name == "throttle") {
      e = read_throttle(value, sub);
    } else {
      e = error(
          "unknown_field",
          "unknown field '" + std::string(name) + "' in subscribe (expected id, filter, throttle)",
          sub.id);
    }
    if (e) return *e;
  }
  return ControlFrame{std::move(sub)};
}

}  // namespace

std::variant<ControlFrame, ProtocolError> parse_control_frame(std::string_view text,
                                                              size_t max_filter_values) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return error("bad_json", "control frame is not JSON: " + ec.message());
  if (!v.is_object()) return error("bad_frame", "control frame must be a JSON object");
  const auto& frame = v.get_object();
  const auto* type = frame.if_contains("type");
  if (!type || !type->is_string()) return error("bad_frame", "'type' is required");
  std::string_view kind = type->get_string();
  if (kind == "subscribe") return parse_subscribe(frame, max_filter_values);
  if (kind == "unsubscribe") {
    UnsubscribeRequest unsub;
    if (auto e = read_id(frame, unsub.id)) return *e;
    for (const auto& [name, value] : frame)
      if (name != "type" && name != "id")
        return error("unknown_field", "unknown field '" + std::string(name) + "' in unsubscribe",
                     unsub.id);
    return ControlFrame{std::move(unsub)};
  }
  if (kind == "ping") {
    PingRequest ping;
    for (const auto& [name, value] : frame) {
      if (name == "id") {
        ping.id_json = json::serialize(value);
      } else if (name != "type") {
        return error("unknown_field", "unknown field '" + std::string(name) + "' in ping");
      }
    }
    return ControlFrame{std::move(ping)};
  }
  return error("unknown_type", "unknown frame type '" + std::string(kind) +
                                   "' (expected subscribe, unsubscribe, ping)");
}

std::string error_frame(const ProtocolError& e) {
  json::object o{{"type", "error"}, {"code", e.code}, {"message", e.message}};
  if (!e.id.empty()) o["id"] = e.id;
  return json::serialize(o);
}

std::string unsubscribed_frame(std::string_view id) {
  return json::serialize(json::object{{"type", "unsubscribed"}, {"id", id}});
}

std::string pong_frame(std::string_view id_json, int64_t unix_ms) {
  std::string out = R"({"type":"pong")";
  if (!id_json.empty()) out += ",\"id\":" + std::string(id_json);
  out += ",\"ts\":" + std::to_string(unix_ms) + "}";
  return out;
}

}  // namespace sluice::websocket
