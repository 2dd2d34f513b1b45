// A path a webhook server accepts, written with named placeholders:
// "/ingest/${subject}", "/hooks/${source}/events". A placeholder matches one
// path segment, or, when it ends the template, the rest of the path (slashes
// included). `${subject}` gives the message's subject; other placeholders
// become headers `path.<name>`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::http_plugin {

struct PathMatch {
  std::string subject;
  std::vector<std::pair<std::string, std::string>> captures;  // name -> value, not subject
};

class PathTemplate {
 public:
  // Errors: not starting with '/', an unclosed `${`, an empty or invalid
  // name, two placeholders next to each other, a name used twice.
  static std::optional<PathTemplate> compile(std::string_view text, std::string& error);

  // The match of a decoded request path, or nullopt.
  std::optional<PathMatch> match(std::string_view path) const;

  const std::string& text() const { return text_; }

 private:
  struct Part {
    bool placeholder = false;
    std::string text;  // literal text, or the placeholder's name
  };
  std::string text_;
  std::vector<Part> parts_;
};

}  // namespace sluice::http_plugin
