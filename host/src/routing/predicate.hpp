// A route's `where`, compiled from its JSON spec into a tree of tests on
// precompiled fields, evaluated per message without allocating. Grammar and
// comparison rules: see docs in predicate_compiler.cpp and the unit tests.
#pragma once

#include <boost/json/value.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "routing/field_ref.hpp"
#include "routing/message_context.hpp"

namespace sluice::routing {

// The outcome of a rule for one message. kNotJson: the rule needed a payload
// field and the payload is not JSON, so it could not be decided; the runtime
// treats it as no match and counts (or dead-letters) it as a parse error.
enum class Verdict : uint8_t { kNoMatch, kMatch, kNotJson };

namespace predicate_detail {
struct Node;
}

class Predicate {
 public:
  // A predicate that matches every message (a route without `where`).
  Predicate();
  ~Predicate();
  Predicate(Predicate&&) noexcept;
  Predicate& operator=(Predicate&&) noexcept;

  // Compiles a `where` spec. Every problem is appended to `errors` as
  // "<context>.<key>: what is wrong"; returns nothing when there was one.
  // `files_dir` is where a relative `in: { file: ... }` is read from.
  static std::optional<Predicate> compile(const boost::json::value& spec,
                                          std::vector<std::string>& errors,
                                          std::string_view context = "where",
                                          std::string_view files_dir = {});

  Verdict evaluate(const MessageContext& m) const;
  bool matches(const MessageContext& m) const { return evaluate(m) == Verdict::kMatch; }

  bool always_matches() const;
  bool reads_payload() const;
  // The fields this predicate reads, each once.
  const std::vector<FieldRef>& fields() const { return fields_; }

 private:
  std::unique_ptr<predicate_detail::Node> root_;
  std::vector<FieldRef> fields_;
  std::vector<const JsonPath*> payload_paths_;  // into fields_, for PayloadScan::prefetch

  friend class PredicateCompiler;
};

}  // namespace sluice::routing
