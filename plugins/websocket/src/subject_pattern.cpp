#include "subject_pattern.hpp"

#include <stdexcept>

namespace sluice::websocket {
namespace {

bool is_separator(char c) { return c == '.' || c == '/'; }

// Calls fn(token) for every token of `text`; stops when fn returns false.
template <class F>
void for_each_token(std::string_view text, F&& fn) {
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || is_separator(text[i])) {
      if (!fn(text.substr(start, i - start))) return;
      start = i + 1;
    }
  }
}

}  // namespace

SubjectPattern::SubjectPattern(std::string_view pattern) : text_(pattern) {
  if (pattern.empty() || pattern == ">" || pattern == "#") return;  // everything
  for_each_token(pattern, [&](std::string_view token) {
    if (tail_) throw std::invalid_argument("'>' must be the last token of '" + text_ + "'");
    if (token == ">" || token == "#") {
      tail_ = true;
    } else {
      tokens_.emplace_back(token == "+" ? std::string("*") : std::string(token));
    }
    return true;
  });
}

bool SubjectPattern::matches(std::string_view subject) const {
  if (matches_all()) return true;
  size_t i = 0;
  bool ok = true;
  bool tail_used = false;
  for_each_token(subject, [&](std::string_view token) {
    if (i == tokens_.size()) {
      tail_used = tail_;  // `>` takes every remaining token
      ok = tail_;
      return false;
    }
    if (tokens_[i] != "*" && tokens_[i] != token) {
      ok = false;
      return false;
    }
    ++i;
    return true;
  });
  if (!ok || i != tokens_.size()) return false;
  return !tail_ || tail_used;  // `>` needs at least one token
}

}  // namespace sluice::websocket
