#include "message_template.hpp"

namespace sluice::http_plugin {

std::optional<MessageTemplate> MessageTemplate::compile(std::string_view text, std::string& error) {
  MessageTemplate t;
  size_t at = 0;
  while (at < text.size()) {
    size_t open = text.find("${", at);
    if (open == std::string_view::npos) {
      t.parts_.push_back({Kind::kLiteral, std::string(text.substr(at))});
      break;
    }
    if (open > at) t.parts_.push_back({Kind::kLiteral, std::string(text.substr(at, open - at))});
    size_t close = text.find('}', open);
    if (close == std::string_view::npos) {
      error = "'" + std::string(text) + "': '${' without '}'";
      return std::nullopt;
    }
    std::string_view name = text.substr(open + 2, close - open - 2);
    if (name == "subject") {
      t.parts_.push_back({Kind::kSubject, {}});
    } else if (name == "key") {
      t.parts_.push_back({Kind::kKey, {}});
    } else if (name.substr(0, 7) == "header." && name.size() > 7) {
      t.parts_.push_back({Kind::kHeader, std::string(name.substr(7))});
    } else {
      error = "'" + std::string(text) + "': '${" + std::string(name) +
              "}' is not ${subject}, ${key} or ${header.NAME} (payload fields go into the "
              "route's `to` subject, e.g. to: \"api:orders/${data.id}\" with url "
              "\"http://svc/${subject}\")";
      return std::nullopt;
    }
    at = close + 1;
  }
  return t;
}

std::string MessageTemplate::render(const MessageView& message) const {
  std::string out;
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
    }
  }
  return out;
}

}  // namespace sluice::http_plugin
