#include "message_template.hpp"

#include <boost/json/parse.hpp>
#include <sluice/common/json_text.hpp>
#include <sluice/common/url_target.hpp>

namespace sluice::http_plugin {
namespace {

const char* kind_name(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::object:
      return "an object";
    case boost::json::kind::array:
      return "an array";
    default:
      return "null";
  }
}

}  // namespace

const boost::json::value* PayloadDocument::get(std::string& error) {
  if (!document_ && parse_error_.empty()) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(payload_, ec);
    if (ec)
      parse_error_ = ec.message();
    else
      document_ = std::move(v);
  }
  if (document_) return &*document_;
  error = "the payload is not JSON (" + parse_error_ + ")";
  return nullptr;
}

std::optional<MessageTemplate> MessageTemplate::compile(std::string_view text, Use use,
                                                        std::string& error) {
  MessageTemplate t;
  t.use_ = use;
  t.source_ = std::string(text);
  auto fail = [&](const std::string& why) {
    error = "'" + std::string(text) + "': " + why;
    return std::nullopt;
  };
  size_t at = 0;
  while (at < text.size()) {
    size_t open = text.find("${", at);
    if (open == std::string_view::npos) {
      t.parts_.push_back({Kind::kLiteral, std::string(text.substr(at)), {}});
      break;
    }
    if (open > at)
      t.parts_.push_back({Kind::kLiteral, std::string(text.substr(at, open - at)), {}});
    size_t close = text.find('}', open);
    if (close == std::string_view::npos) return fail("'${' without '}'");
    std::string_view name = text.substr(open + 2, close - open - 2);
    if (name.empty()) return fail("empty '${}'");
    if (name == "subject") {
      t.parts_.push_back({Kind::kSubject, {}, {}});
    } else if (name == "key") {
      t.parts_.push_back({Kind::kKey, {}, {}});
    } else if (name.substr(0, 7) == "header." && name.size() > 7) {
      t.parts_.push_back({Kind::kHeader, std::string(name.substr(7)), {}});
    } else if (name == "source" || name == "node_id" || name.substr(0, 10) == "attribute.") {
      return fail("'${" + std::string(name) +
                  "}' is known to the host only: put it in the route's `to` subject (to: "
                  "\"api:${" +
                  std::string(name) + "}\") and write ${subject} here");
    } else {
      // As in a route's templates: any other name is a payload path, and
      // `payload.` names one explicitly (a member called "subject", say).
      std::string_view path_text = name.substr(0, 8) == "payload." ? name.substr(8) : name;
      std::string why;
      auto path = common::JsonPath::compile(path_text, why);
      if (!path) return fail("'${" + std::string(name) + "}': " + why);
      t.parts_.push_back({Kind::kPayload, std::string(path_text), std::move(*path)});
    }
    at = close + 1;
  }
  return t;
}

bool MessageTemplate::reads_payload() const {
  for (const auto& part : parts_)
    if (part.kind == Kind::kPayload) return true;
  return false;
}

std::optional<std::string> MessageTemplate::field_text(const Part& part, PayloadDocument& payload,
                                                       std::string& error) const {
  const boost::json::value* document = payload.get(error);
  if (!document) return std::nullopt;
  const boost::json::value* field = part.path.find(*document);
  if (!field) {
    error = "the payload has no field '" + part.text + "'";
    return std::nullopt;
  }
  auto text = common::scalar_text(*field);
  if (!text) {
    error = "payload field '" + part.text + "' is " + kind_name(*field) +
            ", not a string, number or boolean";
  } else if (use_ == Use::kHeader && text->find_first_of("\r\n") != std::string::npos) {
    error = "payload field '" + part.text + "' holds a line break, which a header cannot";
    text.reset();
  }
  return text;
}

bool MessageTemplate::render(const MessageView& message, PayloadDocument& payload, std::string& out,
                             std::string& error) const {
  out.clear();
  for (const auto& part : parts_) {
    switch (part.kind) {
      case Kind::kLiteral:
        out += part.text;
        break;
      case Kind::kSubject:
        out += message.subject();
        break;
      case Kind::kKey:
        out += message.key();
        break;
      case Kind::kHeader:
        if (auto v = message.header(part.text)) out += *v;
        break;
      case Kind::kPayload: {
        std::string why;
        auto text = field_text(part, payload, why);
        if (!text) {
          error = "'" + source_ + "': " + why;
          return false;
        }
        out += use_ == Use::kUrl ? common::encode_query_value(*text) : *text;
        break;
      }
    }
  }
  return true;
}

}  // namespace sluice::http_plugin
