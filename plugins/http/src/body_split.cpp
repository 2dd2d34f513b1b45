#include "body_split.hpp"

#include <boost/json.hpp>

namespace sluice::http_plugin {
namespace {

bool parses(std::string_view text, std::string& why) {
  boost::system::error_code ec;
  boost::json::parse(text, ec);
  if (ec) why = ec.message();
  return !ec;
}

}  // namespace

SplitResult split_body(std::string_view body, Split split, bool validate_json) {
  SplitResult out;
  std::string why;
  switch (split) {
    case Split::kNone:
      if (validate_json && !parses(body, why)) {
        out.error = "the body is not JSON: " + why;
        return out;
      }
      out.payloads.emplace_back(body);
      return out;
    case Split::kJsonArray: {
      boost::system::error_code ec;
      boost::json::value value = boost::json::parse(body, ec);
      if (ec) {
        out.error = "the body is not JSON: " + ec.message();
        return out;
      }
      if (!value.is_array()) {
        out.error = "the body must be a JSON array (this endpoint splits arrays into messages)";
        return out;
      }
      for (const auto& item : value.get_array())
        out.payloads.push_back(boost::json::serialize(item));
      return out;
    }
    case Split::kJsonLines: {
      size_t line_number = 0;
      while (!body.empty()) {
        size_t newline = body.find('\n');
        std::string_view line = body.substr(0, newline);
        body = newline == std::string_view::npos ? std::string_view() : body.substr(newline + 1);
        ++line_number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
        if (!parses(line, why)) {
          out.payloads.clear();
          out.error = "line " + std::to_string(line_number) + " is not JSON: " + why;
          return out;
        }
        out.payloads.emplace_back(line);
      }
      return out;
    }
  }
  return out;
}

}  // namespace sluice::http_plugin
