#include "message/envelope.hpp"

#include <sluice/common/json_path.hpp>

namespace sluice::message {
namespace {
std::string copy(sluice_bytes b) { return b.data ? std::string(b.data, b.len) : std::string(); }

void copy_headers(const sluice_header* in, size_t n, std::vector<Header>& out) {
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back({copy(in[i].name), copy(in[i].value)});
}
}  // namespace

EnvelopePtr Envelope::from_c(const sluice_message& m) {
  auto env = std::make_shared<Envelope>();
  env->payload = copy(m.payload);
  if (m.key.data) env->key = copy(m.key);
  env->subject = copy(m.subject);
  if (m.headers) copy_headers(m.headers, m.header_count, env->headers);
  env->timestamp_ms = m.timestamp_ms;
  if (SLUICE_HAS_FIELD(&m, sluice_message, reply_to)) env->reply_to = copy(m.reply_to);
  if (SLUICE_HAS_FIELD(&m, sluice_message, attribute_count) && m.attributes)
    copy_headers(m.attributes, m.attribute_count, env->attributes);
  return env;
}

const boost::json::value* Envelope::json() const {
  if (json_state_ == JsonState::kUnparsed) {
    boost::system::error_code ec;
    auto v = boost::json::parse(payload, ec);
    if (ec) {
      json_state_ = JsonState::kInvalid;
      json_error_ = "payload is not JSON: " + ec.message();
    } else {
      json_ = std::move(v);
      json_state_ = JsonState::kParsed;
    }
  }
  return json_state_ == JsonState::kParsed ? &*json_ : nullptr;
}

void Envelope::set_json(boost::json::value v) {
  // A document made from this payload keeps the text of its numbers.
  auto originals = common::NumberTexts::of(json_state_ == JsonState::kParsed ? payload : "");
  payload = common::to_json_text(v, &originals);
  json_ = std::move(v);
  json_state_ = JsonState::kParsed;
}

void Envelope::to_c(CView& view) const {
  view.headers.clear();
  for (const auto& h : headers)
    view.headers.push_back({{h.name.data(), h.name.size()}, {h.value.data(), h.value.size()}});
  view.attributes.clear();
  for (const auto& a : attributes)
    view.attributes.push_back({{a.name.data(), a.name.size()}, {a.value.data(), a.value.size()}});
  sluice_message& m = view.message;
  m = sluice_message{};
  m.struct_size = sizeof(sluice_message);
  m.payload = {payload.data(), payload.size()};
  m.key = key ? sluice_bytes{key->data(), key->size()} : sluice_bytes{nullptr, 0};
  m.subject = {subject.data(), subject.size()};
  m.headers = view.headers.data();
  m.header_count = view.headers.size();
  m.timestamp_ms = timestamp_ms;
  m.reply_to = {reply_to.data(), reply_to.size()};
  m.attributes = view.attributes.data();
  m.attribute_count = view.attributes.size();
}

const boost::json::value* find_path(const boost::json::value& root, std::string_view path) {
  return common::JsonPath::find_lenient(root, path);
}

EnvelopePtr copy_content(const Envelope& m) {
  auto copy = std::make_shared<Envelope>();
  copy->payload = m.payload;
  copy->key = m.key;
  copy->subject = m.subject;
  copy->headers = m.headers;
  copy->attributes = m.attributes;
  copy->timestamp_ms = m.timestamp_ms;
  copy->reply_to = m.reply_to;
  copy->origin = m.origin;
  if (m.json_parsed()) {
    copy->json_ = *m.json_;
    copy->json_state_ = Envelope::JsonState::kParsed;
  }
  return copy;
}

}  // namespace sluice::message
