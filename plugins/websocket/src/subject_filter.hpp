// A client's subject filter. Empty matches every subject; otherwise it is a
// subject pattern whose syntax is read from its characters (NATS `a.*`,
// `a.>`; MQTT `a/+`, `a/#`; AMQP `a.#`), because a browser subscribes without
// knowing which broker the events came through.
#pragma once

#include <optional>
#include <sluice/common/subject_pattern.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sluice::websocket {

class SubjectFilter {
 public:
  SubjectFilter() = default;  // matches every subject
  // Throws std::invalid_argument naming the problem for a malformed pattern.
  explicit SubjectFilter(std::string_view pattern) {
    if (pattern.empty()) return;
    std::string error;
    pattern_ = common::SubjectPattern::compile(pattern, common::SubjectSyntax::kAuto, error);
    if (!pattern_) throw std::invalid_argument(error);
  }

  bool matches(std::string_view subject) const { return !pattern_ || pattern_->matches(subject); }
  bool matches_all() const { return !pattern_; }
  const std::string& text() const {
    static const std::string kEmpty;
    return pattern_ ? pattern_->text() : kEmpty;
  }

 private:
  std::optional<common::SubjectPattern> pattern_;
};

}  // namespace sluice::websocket
