// A subject (or key) written with fields in it, "devices/${data.DEVICE_ID}",
// compiled once and rendered per message into a reused string. A template
// without `${...}` costs nothing to render.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "routing/field_ref.hpp"
#include "routing/message_context.hpp"

namespace sluice::routing {

class Template {
 public:
  // What went wrong while rendering; the text is still produced, with an
  // empty string where a value was missing, so the runtime decides (count
  // it, dead-letter it, or send anyway).
  struct RenderResult {
    uint32_t missing = 0;   // placeholders whose field was not there
    bool not_json = false;  // a payload placeholder met a payload that is not JSON
    bool complete() const { return missing == 0 && !not_json; }
  };

  Template() = default;

  // `${field}` takes any field a rule can read (see FieldRef): payload
  // paths, subject, key, source, node_id, header.<name>, attribute.<name>.
  // `$$` writes a single `$`. Errors: an unclosed `${`, an empty `${}`, a
  // bad path.
  static std::optional<Template> compile(std::string_view text, std::string& error);
  static Template literal(std::string text);

  // Replaces the content of `out` (keeping its capacity).
  RenderResult render(const MessageContext& m, std::string& out) const;

  bool is_literal() const { return fields_.empty(); }
  // The rendered text of a literal template.
  const std::string& literal_text() const { return literal_; }
  // The template as written.
  const std::string& text() const { return text_; }
  bool reads_payload() const;
  const std::vector<FieldRef>& fields() const { return fields_; }

 private:
  struct Part {
    bool is_field;
    std::string text;  // literal text
    uint32_t field;    // index into fields_
  };
  std::string text_;
  std::string literal_;  // set when is_literal()
  std::vector<Part> parts_;
  std::vector<FieldRef> fields_;
};

}  // namespace sluice::routing
