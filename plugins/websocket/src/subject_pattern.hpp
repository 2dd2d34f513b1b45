// Subject wildcards for subscriptions: tokens split on '.' or '/', `*` (or
// `+`) matches one token, a final `>` (or `#`) matches all remaining tokens.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::websocket {

class SubjectPattern {
 public:
  SubjectPattern() = default;  // matches every subject
  // Throws std::invalid_argument when `>`/`#` is not the last token.
  explicit SubjectPattern(std::string_view pattern);

  bool matches(std::string_view subject) const;
  bool matches_all() const { return tokens_.empty() && !tail_; }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::vector<std::string> tokens_;
  bool tail_ = false;  // ends with `>`/`#`
};

}  // namespace sluice::websocket
