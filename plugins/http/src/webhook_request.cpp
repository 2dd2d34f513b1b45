#include "webhook_request.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <sluice/common/url_target.hpp>

#include "body_split.hpp"
#include "request_auth.hpp"

namespace sluice::http_plugin {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Headers that describe the transport, not the event: not copied into
// messages. Credentials are never copied.
bool is_transport_header(const std::string& name) {
  static const char* const kSkipped[] = {"connection",
                                         "content-length",
                                         "keep-alive",
                                         "transfer-encoding",
                                         "expect",
                                         "upgrade",
                                         "te",
                                         "authorization",
                                         "proxy-authorization"};
  return std::any_of(std::begin(kSkipped), std::end(kSkipped),
                     [&](const char* s) { return name == s; });
}

bool is_json_content_type(std::string_view value) {
  std::string type = lower(value.substr(0, value.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  return type == "application/json" || type == "application/x-ndjson" ||
         type == "application/jsonl" ||
         (type.size() > 5 && type.compare(type.size() - 5, 5, "+json") == 0);
}

}  // namespace

std::string error_body(std::string_view text) {
  return boost::json::serialize(boost::json::object{{"error", text}});
}

PreparedRequest prepare_request(const ServerOptions& options, const Request& request,
                                const std::string& remote) {
  PreparedRequest out;
  auto refuse = [&](unsigned status, std::string text) {
    out.status = status;
    out.error = std::move(text);
    return out;
  };

  common::UrlTarget target = common::parse_url_target(request.target());
  std::optional<PathMatch> match;
  for (const auto& path : options.paths)
    if ((match = path.match(target.path))) break;
  if (!match) return refuse(404, "no endpoint at '" + target.path + "'");

  std::string method(request.method_string());
  if (std::find(options.methods.begin(), options.methods.end(), method) == options.methods.end())
    return refuse(405, "method " + method + " is not accepted here");

  std::string_view signature;
  if (auto it = request.find(options.auth.hmac_header); it != request.end())
    signature = it->value();
  std::string_view authorization;
  if (auto it = request.find(http::field::authorization); it != request.end())
    authorization = it->value();
  if (auto why = check_auth(options.auth, authorization, signature, request.body()))
    return refuse(401, *why);

  bool wants_json = options.require_json || options.split != Split::kNone;
  if (options.require_json && !is_json_content_type(request[http::field::content_type]))
    return refuse(415, "Content-Type must be application/json");

  SplitResult split = split_body(request.body(), options.split, wants_json);
  if (!split.error.empty()) return refuse(400, split.error);

  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& field : request) {
    std::string name = lower(field.name_string());
    if (is_transport_header(name) || name == options.auth.hmac_header) continue;
    headers.emplace_back(std::move(name), std::string(field.value()));
  }
  for (const auto& [name, value] : target.params) headers.emplace_back("query." + name, value);
  for (const auto& [name, value] : match->captures) headers.emplace_back("path." + name, value);

  out.messages.reserve(split.payloads.size());
  for (auto& payload : split.payloads)
    out.messages.push_back({std::move(payload), match->subject, headers});
  out.attributes = {{"method", method}, {"path", target.path}, {"remote", remote}};
  return out;
}

}  // namespace sluice::http_plugin
