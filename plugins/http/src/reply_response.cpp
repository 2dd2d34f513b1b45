#include "reply_response.hpp"

#include <charconv>

#include "webhook_request.hpp"

namespace sluice::http_plugin {

ReplyData read_reply(const MessageView& reply, std::string& problem) {
  ReplyData out;
  out.body = std::string(reply.payload());
  for (size_t i = 0; i < reply.header_count(); ++i) {
    std::string_view name = reply.header_name(i);
    // HTTP/2 pseudo-headers (":status") are no HTTP/1.1 header names.
    if (name != kStatusHeader && !name.starts_with(':'))
      out.headers.emplace_back(name, reply.header_value(i));
  }
  auto text = reply.header(kStatusHeader);
  if (!text) return out;
  unsigned status = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), status);
  if (ec == std::errc() && end == text->data() + text->size() && status >= 100 && status <= 599) {
    out.status = status;
    return out;
  }
  problem = "the reply's " + std::string(kStatusHeader) + " '" + std::string(*text) +
            "' is not a status code from 100 to 599; answered 500";
  out.status = 500;
  out.headers.clear();
  out.body = error_body(problem);
  out.headers.emplace_back("content-type", "application/json");
  return out;
}

Response reply_response(ReplyData reply, unsigned version) {
  Response res{static_cast<http::status>(reply.status), version};
  std::string content_type = "application/octet-stream";
  for (auto& [name, value] : reply.headers) {
    if (name == "content-type")
      content_type = std::move(value);
    else
      res.set(name, value);
  }
  res.set(http::field::server, "sluice");
  if (!reply.body.empty()) res.set(http::field::content_type, content_type);
  res.body() = std::move(reply.body);
  return res;
}

}  // namespace sluice::http_plugin
