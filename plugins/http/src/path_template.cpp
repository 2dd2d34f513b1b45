#include "path_template.hpp"

#include <algorithm>
#include <cctype>

namespace sluice::http_plugin {
namespace {

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

}  // namespace

std::optional<PathTemplate> PathTemplate::compile(std::string_view text, std::string& error) {
  if (text.empty() || text.front() != '/' || text.find_first_of("?# ") != std::string_view::npos) {
    error = "path '" + std::string(text) + "' must start with '/' and hold no '?', '#' or space";
    return std::nullopt;
  }
  PathTemplate t;
  t.text_ = std::string(text);
  std::vector<std::string> names;
  size_t at = 0;
  while (at < text.size()) {
    size_t open = text.find("${", at);
    if (open == std::string_view::npos) {
      t.parts_.push_back({false, std::string(text.substr(at))});
      break;
    }
    if (open > at) t.parts_.push_back({false, std::string(text.substr(at, open - at))});
    size_t close = text.find('}', open);
    if (close == std::string_view::npos) {
      error = "path '" + std::string(text) + "': '${' without '}'";
      return std::nullopt;
    }
    std::string name(text.substr(open + 2, close - open - 2));
    if (!valid_name(name)) {
      error = "path '" + std::string(text) + "': placeholder '${" + name +
              "}' must be a name of letters, digits, '_' or '-'";
      return std::nullopt;
    }
    if (!t.parts_.empty() && t.parts_.back().placeholder) {
      error = "path '" + std::string(text) + "': two placeholders need text between them";
      return std::nullopt;
    }
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      error = "path '" + std::string(text) + "': placeholder '" + name + "' is used twice";
      return std::nullopt;
    }
    names.push_back(name);
    t.parts_.push_back({true, std::move(name)});
    at = close + 1;
  }
  return t;
}

std::optional<PathMatch> PathTemplate::match(std::string_view path) const {
  PathMatch out;
  bool has_subject = false;
  size_t at = 0;
  for (size_t i = 0; i < parts_.size(); ++i) {
    const Part& part = parts_[i];
    if (!part.placeholder) {
      if (path.substr(at, part.text.size()) != part.text) return std::nullopt;
      at += part.text.size();
      continue;
    }
    size_t end;
    if (i + 1 == parts_.size()) {
      end = path.size();  // the last placeholder takes the rest
    } else {
      // Up to the next literal, within one segment.
      const std::string& next = parts_[i + 1].text;
      end = path.find(next, at);
      size_t slash = path.find('/', at);
      if (end == std::string_view::npos) return std::nullopt;
      if (slash != std::string_view::npos && slash < end) return std::nullopt;
    }
    if (end == at) return std::nullopt;  // placeholders match something
    std::string value(path.substr(at, end - at));
    if (part.text == "subject") {
      out.subject = std::move(value);
      has_subject = true;
    } else {
      out.captures.emplace_back(part.text, std::move(value));
    }
    at = end;
  }
  if (at != path.size()) return std::nullopt;
  if (!has_subject) out.subject = std::string(path.substr(1));
  return out;
}

}  // namespace sluice::http_plugin
