// Subject patterns in every syntax (NATS, MQTT, AMQP, literal, glob, auto): any
// text compiles or is refused with a reason; matching any subject never
// crashes; a pattern without wildcards matches exactly its own text.
//   input: syntax (auto|nats|mqtt|amqp|literal|glob) ---- pattern ---- subject
#include <string>

#include "fuzz_input.hpp"
#include "sluice/common/subject_pattern.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::common;
  auto parts = sluice::fuzz::split_parts(sluice::fuzz::as_text(data, size), 3);
  SubjectSyntax syntax = parse_subject_syntax(parts[0]).value_or(SubjectSyntax::kAuto);
  if (syntax == SubjectSyntax::kAuto) syntax = detect_subject_syntax(parts[1]);
  std::string error;
  auto pattern = SubjectPattern::compile(parts[1], syntax, error);
  if (!pattern) {
    FUZZ_CHECK(!error.empty());
    return 0;
  }
  bool matched = pattern->matches(parts[2]);
  if (pattern->is_literal()) {
    FUZZ_CHECK(matched == (parts[2] == pattern->text()));
    FUZZ_CHECK(pattern->matches(pattern->text()));
  }
  return 0;
}
