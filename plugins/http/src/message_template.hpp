// A URL or header value written with `${subject}`, `${key}` or
// `${header.NAME}`, filled per message. Payload fields reach a URL through
// the subject: the route's `to: "api:orders/${data.id}"` is rendered by the
// host (one template engine for every plugin), and `url:
// "http://svc/${subject}"` puts it in place.
#pragma once

#include <optional>
#include <sluice/plugin.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::http_plugin {

class MessageTemplate {
 public:
  // Errors: an unclosed `${`, a placeholder other than the three above.
  static std::optional<MessageTemplate> compile(std::string_view text, std::string& error);

  // The text for `message`; a missing key or header renders empty.
  std::string render(const MessageView& message) const;

 private:
  enum class Kind { kLiteral, kSubject, kKey, kHeader };
  struct Part {
    Kind kind;
    std::string text;  // literal text or header name
  };
  std::vector<Part> parts_;
};

}  // namespace sluice::http_plugin
