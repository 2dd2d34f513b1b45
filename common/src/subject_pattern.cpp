#include <fnmatch.h>

#include <cstring>
#include <sluice/common/quoted.hpp>
#include <sluice/common/subject_pattern.hpp>

namespace sluice::common {

std::optional<SubjectSyntax> parse_subject_syntax(std::string_view name) {
  if (name == "auto") return SubjectSyntax::kAuto;
  if (name == "nats") return SubjectSyntax::kNats;
  if (name == "mqtt") return SubjectSyntax::kMqtt;
  if (name == "amqp") return SubjectSyntax::kAmqp;
  if (name == "literal") return SubjectSyntax::kLiteral;
  if (name == "glob") return SubjectSyntax::kGlob;
  return std::nullopt;
}

std::string_view subject_syntax_name(SubjectSyntax syntax) {
  switch (syntax) {
    case SubjectSyntax::kAuto:
      return "auto";
    case SubjectSyntax::kNats:
      return "nats";
    case SubjectSyntax::kMqtt:
      return "mqtt";
    case SubjectSyntax::kAmqp:
      return "amqp";
    case SubjectSyntax::kLiteral:
      return "literal";
    case SubjectSyntax::kGlob:
      return "glob";
  }
  return "?";
}

SubjectSyntax detect_subject_syntax(std::string_view pattern) {
  if (pattern.find('/') != std::string_view::npos) return SubjectSyntax::kMqtt;
  if (pattern.find('>') != std::string_view::npos) return SubjectSyntax::kNats;
  if (pattern.find('#') != std::string_view::npos) return SubjectSyntax::kAmqp;
  if (pattern == "+") return SubjectSyntax::kMqtt;
  return SubjectSyntax::kNats;
}

namespace {

struct Rules {
  char separator;
  std::string_view one;
  std::string_view rest;
  std::string_view foreign;  // other syntaxes' wildcard characters
};

Rules rules_for(SubjectSyntax syntax) {
  switch (syntax) {
    case SubjectSyntax::kMqtt:
      return {'/', "+", "#", "*>"};
    case SubjectSyntax::kAmqp:
      return {'.', "*", "#", ">+"};
    case SubjectSyntax::kLiteral:
      return {'.', {}, {}, "*>#+"};
    default:
      return {'.', "*", ">", "#+"};
  }
}

std::string_view wildcards_of(SubjectSyntax syntax) {
  switch (syntax) {
    case SubjectSyntax::kMqtt:
      return "'+' one level, '#' the rest";
    case SubjectSyntax::kAmqp:
      return "'*' one word, '#' zero or more words";
    case SubjectSyntax::kLiteral:
      return "none: a pattern is one subject name";
    case SubjectSyntax::kGlob:
      return "'*' any characters, '?' one, '[a-z]' a set";
    default:
      return "'*' one token, '>' the rest";
  }
}

// A glob has no separators, but `>`, `#` or `+` standing alone between dots
// or slashes is another broker's wildcard: Redis would read it literally
// and the route would match nothing. Returns where it is, or npos.
size_t foreign_wildcard_in_glob(std::string_view text) {
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '.' && text[i] != '/') continue;
    std::string_view token = text.substr(start, i - start);
    if (token == ">" || token == "#" || token == "+") return start;
    start = i + 1;
  }
  return std::string_view::npos;
}

}  // namespace

std::optional<SubjectPattern> SubjectPattern::compile(std::string_view text, SubjectSyntax syntax,
                                                      std::string& error) {
  const bool declared = syntax != SubjectSyntax::kAuto;
  if (!declared) syntax = detect_subject_syntax(text);
  const Rules rules = rules_for(syntax);

  SubjectPattern p;
  p.text_ = std::string(text);
  p.syntax_ = syntax;
  p.separator_ = rules.separator;

  auto fail = [&](std::string why) {
    error = "subject pattern '" + std::string(text) + "' (" +
            std::string(subject_syntax_name(syntax)) + " syntax): " + std::move(why);
    return std::nullopt;
  };

  if (syntax == SubjectSyntax::kGlob) {
    size_t at = foreign_wildcard_in_glob(text);
    if (at != std::string_view::npos)
      return fail(quoted(text.substr(at, 1)) + " is not a wildcard here (glob wildcards: " +
                  std::string(wildcards_of(syntax)) + ")");
    p.literal_ = text.find_first_of("*?[\\") == std::string_view::npos;
    return p;
  }
  if (declared) {
    size_t at = text.find_first_of(rules.foreign);
    if (at != std::string_view::npos)
      return fail(quoted(text.substr(at, 1)) + " is not a wildcard here (" +
                  std::string(subject_syntax_name(syntax)) +
                  " wildcards: " + std::string(wildcards_of(syntax)) + ")");
  }
  if (syntax == SubjectSyntax::kLiteral) return p;  // one token: the whole text

  size_t pos = 0;
  while (pos != SubjectCursor::kEnd) {
    std::string_view token = SubjectCursor::token_at(text, pos, rules.separator);
    size_t next = SubjectCursor::next(text, pos, rules.separator);
    bool last = next == SubjectCursor::kEnd;

    if (syntax == SubjectSyntax::kNats && token.empty())
      return fail("empty token (NATS subjects have no empty tokens)");

    if (token == rules.one) {
      p.tokens_.push_back({TokenKind::kOne, {}});
    } else if (token == rules.rest) {
      if (syntax != SubjectSyntax::kAmqp && !last)
        return fail(quoted(rules.rest) + " must be the last token");
      if (syntax == SubjectSyntax::kNats) p.tokens_.push_back({TokenKind::kOne, {}});
      // AMQP `#.#` means the same as `#`; collapsing keeps matching linear.
      if (p.tokens_.empty() || p.tokens_.back().kind != TokenKind::kRest)
        p.tokens_.push_back({TokenKind::kRest, {}});
    } else {
      if (syntax == SubjectSyntax::kMqtt && token.find_first_of("+#") != std::string_view::npos)
        return fail("'+' and '#' must stand alone between '/' separators");
      // NATS and AMQP treat a wildcard character inside a token as a literal.
      p.tokens_.push_back({TokenKind::kLiteral, std::string(token)});
    }
    pos = next;
  }

  for (const auto& t : p.tokens_)
    if (t.kind != TokenKind::kLiteral) p.literal_ = false;
  return p;
}

bool SubjectPattern::matches(std::string_view subject) const {
  if (literal_) return subject == text_;
  if (syntax_ == SubjectSyntax::kGlob) return glob_matches(subject);
  if (protects_dollar_topics() && !subject.empty() && subject.front() == '$' &&
      tokens_.front().kind != TokenKind::kLiteral)
    return false;
  return match_from(0, 0, subject);
}

bool SubjectPattern::glob_matches(std::string_view subject) const {
  // fnmatch wants a C string; a subject with a NUL inside is no channel name.
  if (subject.find('\0') != std::string_view::npos) return false;
  char small[256];
  if (subject.size() < sizeof small) {
    // An empty view may have no data at all: memcpy must not see it.
    if (!subject.empty()) std::memcpy(small, subject.data(), subject.size());
    small[subject.size()] = '\0';
    return fnmatch(text_.c_str(), small, 0) == 0;
  }
  return fnmatch(text_.c_str(), std::string(subject).c_str(), 0) == 0;
}

bool SubjectPattern::match_from(size_t ti, size_t pos, std::string_view subject) const {
  for (; ti < tokens_.size(); ++ti) {
    const Token& t = tokens_[ti];
    if (t.kind == TokenKind::kRest) {
      if (ti + 1 == tokens_.size()) return true;
      // Zero, one, ... or all remaining tokens; only AMQP gets here.
      for (size_t p = pos;; p = SubjectCursor::next(subject, p, separator_)) {
        if (match_from(ti + 1, p, subject)) return true;
        if (p == SubjectCursor::kEnd) return false;
      }
    }
    if (pos == SubjectCursor::kEnd) return false;
    if (t.kind == TokenKind::kLiteral &&
        SubjectCursor::token_at(subject, pos, separator_) != t.text)
      return false;
    pos = SubjectCursor::next(subject, pos, separator_);
  }
  return pos == SubjectCursor::kEnd;
}

}  // namespace sluice::common
