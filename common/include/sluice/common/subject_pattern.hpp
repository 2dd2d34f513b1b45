// Subject patterns with wildcards in each broker's own syntax (NATS `*`/`>`
// with `.`, MQTT `+`/`#` with `/`, AMQP `*`/`#` with `.`, Redis globs, or
// none at all),
// compiled once and matched without allocating. A route's `from` (in the
// syntax its source plugin declares) and websocket subscriptions use them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::common {

enum class SubjectSyntax : uint8_t {
  kAuto,     // guessed from the characters used; see detect_subject_syntax
  kNats,     // `.` separates tokens; `*` one token; `>` one or more, last only
  kMqtt,     // `/` separates levels; `+` one level; `#` this level and all below, last only
  kAmqp,     // `.` separates words; `*` one word; `#` zero or more words, anywhere
  kLiteral,  // no wildcards: a pattern is one subject name
  kGlob,     // Redis globs over the whole subject: `*`, `?`, `[a-z]`, `[^x]`, `\` escapes
};

std::optional<SubjectSyntax> parse_subject_syntax(std::string_view name);
std::string_view subject_syntax_name(SubjectSyntax syntax);

// Picks a concrete syntax for a pattern written without saying which:
// a `/` means MQTT, a `>` NATS, a `#` (without `/`) AMQP, a lone `+` MQTT,
// anything else NATS (where `*` means the same as in AMQP).
SubjectSyntax detect_subject_syntax(std::string_view pattern);

class SubjectPattern {
 public:
  enum class TokenKind : uint8_t {
    kLiteral,
    kOne,   // exactly one token
    kRest,  // zero or more tokens (NATS `>` compiles to kOne + kRest)
  };
  struct Token {
    TokenKind kind;
    std::string text;  // kLiteral only
  };

  // Returns nothing and sets `error` when the pattern breaks its syntax's
  // rules (for example MQTT `a/#/b`, NATS `a.>.b`, an empty NATS token).
  // A syntax given explicitly (not kAuto) also refuses the wildcard
  // characters of the other syntaxes (`#` or `+` in NATS, `*` or `>` in
  // MQTT, `>` or `+` in AMQP, any of them in kLiteral): such a pattern was
  // written for another broker, and read literally it would match nothing.
  static std::optional<SubjectPattern> compile(std::string_view text, SubjectSyntax syntax,
                                               std::string& error);

  bool matches(std::string_view subject) const;

  const std::string& text() const { return text_; }
  SubjectSyntax syntax() const { return syntax_; }  // never kAuto
  char separator() const { return separator_; }
  bool is_literal() const { return literal_; }
  // MQTT: a first-level wildcard does not match topics starting with `$`.
  bool protects_dollar_topics() const { return syntax_ == SubjectSyntax::kMqtt; }
  // A glob is not made of tokens: tokens() is empty and matches() runs
  // fnmatch(3) over the whole subject.
  bool is_glob() const { return syntax_ == SubjectSyntax::kGlob && !literal_; }
  const std::vector<Token>& tokens() const { return tokens_; }

 private:
  SubjectPattern() = default;
  bool match_from(size_t token_index, size_t pos, std::string_view subject) const;
  bool glob_matches(std::string_view subject) const;

  std::string text_;
  SubjectSyntax syntax_ = SubjectSyntax::kNats;
  char separator_ = '.';
  bool literal_ = true;
  std::vector<Token> tokens_;
};

// Walks a subject token by token without allocating. `pos` is the start of
// the current token, or npos once every token has been consumed (a subject
// always has at least one token, possibly empty).
struct SubjectCursor {
  static constexpr size_t kEnd = std::string_view::npos;

  static std::string_view token_at(std::string_view subject, size_t pos, char separator) {
    size_t end = subject.find(separator, pos);
    return subject.substr(pos, end == std::string_view::npos ? subject.size() - pos : end - pos);
  }
  static size_t next(std::string_view subject, size_t pos, char separator) {
    size_t end = subject.find(separator, pos);
    return end == std::string_view::npos ? kEnd : end + 1;
  }
};

}  // namespace sluice::common
