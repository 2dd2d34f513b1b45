// The pub/sub request/reply envelope (see request_envelope.hpp).
#include "request_envelope.hpp"

#include <boost/json.hpp>

namespace sluice::redis {

std::optional<Envelope> parse_envelope(std::string_view text, bool need_reply_to,
                                       std::string& error) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) {
    error = "not a JSON object";
    return std::nullopt;
  }
  const auto& o = v.get_object();
  Envelope e;
  auto string_field = [&](const char* name, std::string& out, bool required) {
    auto* f = o.if_contains(name);
    if (!f) return !required;
    if (!f->is_string()) return false;
    out = std::string(f->get_string());
    return !(required && out.empty());
  };
  if (!string_field("id", e.id, true)) {
    error = "no string 'id'";
    return std::nullopt;
  }
  if (!string_field("reply_to", e.reply_to, need_reply_to)) {
    error = "no string 'reply_to'";
    return std::nullopt;
  }
  if (auto* p = o.if_contains("payload")) {
    e.payload = p->is_string() ? std::string(p->get_string()) : boost::json::serialize(*p);
  }
  if (auto* h = o.if_contains("headers")) {
    if (!h->is_object()) {
      error = "'headers' is not an object";
      return std::nullopt;
    }
    for (const auto& [name, value] : h->get_object())
      e.headers.emplace_back(std::string(name), value.is_string() ? std::string(value.get_string())
                                                                  : boost::json::serialize(value));
  }
  return e;
}

std::string make_envelope(const Envelope& e) {
  boost::json::object o;
  o["id"] = e.id;
  if (!e.reply_to.empty()) o["reply_to"] = e.reply_to;
  boost::system::error_code ec;
  boost::json::value payload = boost::json::parse(e.payload, ec);
  if (ec || e.payload.empty()) payload = boost::json::string(e.payload);
  o["payload"] = std::move(payload);
  if (!e.headers.empty()) {
    boost::json::object h;
    for (const auto& [n, v] : e.headers) h[n] = v;
    o["headers"] = std::move(h);
  }
  return boost::json::serialize(o);
}

}  // namespace sluice::redis
