// A URL or header value written with `${subject}`, `${key}`, `${header.NAME}`
// or a payload field (`${data.id}`: a JSON path, read like a route's
// templates read it), filled per message. A payload field is percent-encoded
// in a URL, so that an id holding `/` or `?` stays one path segment.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <sluice/common/json_path.hpp>
#include <sluice/plugin.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::http_plugin {

// A message's payload parsed as JSON on first use, so that the URL and every
// header template of one message share one parse (and a message whose
// templates read no field is never parsed).
class PayloadDocument {
 public:
  explicit PayloadDocument(std::string_view payload) : payload_(payload) {}
  // The document, or nullptr with `error` when the payload is not JSON.
  const boost::json::value* get(std::string& error);

 private:
  std::string_view payload_;
  std::optional<boost::json::value> document_;
  std::string parse_error_;  // set once parsing failed
};

class MessageTemplate {
 public:
  // Where the text goes: a payload field is percent-encoded in a URL, and
  // must not hold a line break in a header.
  enum class Use { kUrl, kHeader };

  // Errors: an unclosed `${`, an empty `${}`, a malformed payload path,
  // fields only the host knows (`${source}`, `${node_id}`, `${attribute.X}`).
  static std::optional<MessageTemplate> compile(std::string_view text, Use use, std::string& error);

  // Whether rendering reads the payload (so the payload must be JSON).
  bool reads_payload() const;

  // The text for `message`; a missing key or header renders empty. Payload
  // fields are read from `payload`. False with `error` when one cannot be:
  // the payload is not JSON, lacks the field, or the field is not a string,
  // number or boolean. That message can never be sent right: it fails for
  // good instead of going to a wrong URL.
  bool render(const MessageView& message, PayloadDocument& payload, std::string& out,
              std::string& error) const;

 private:
  enum class Kind { kLiteral, kSubject, kKey, kHeader, kPayload };
  struct Part {
    Kind kind;
    std::string text;  // literal text, header name or payload path text
    common::JsonPath path;
  };
  // The text of payload field `part` for this template's use.
  std::optional<std::string> field_text(const Part& part, PayloadDocument& payload,
                                        std::string& error) const;

  Use use_ = Use::kUrl;
  std::string source_;  // the template as written, for error messages
  std::vector<Part> parts_;
};

}  // namespace sluice::http_plugin
