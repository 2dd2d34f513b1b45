#include "routing/template.hpp"

namespace sluice::routing {

std::optional<Template> Template::compile(std::string_view text, std::string& error) {
  Template t;
  t.text_ = std::string(text);
  std::string pending;  // literal text not yet stored as a part
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c != '$' || i + 1 == text.size()) {
      pending += c;
      ++i;
      continue;
    }
    if (text[i + 1] == '$') {
      pending += '$';
      i += 2;
      continue;
    }
    if (text[i + 1] != '{') {
      pending += c;
      ++i;
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      error = "template '" + std::string(text) + "': '${' without a closing '}'";
      return std::nullopt;
    }
    std::string_view name = text.substr(i + 2, close - i - 2);
    if (name.empty()) {
      error = "template '" + std::string(text) + "': empty '${}'";
      return std::nullopt;
    }
    std::string why;
    auto ref = FieldRef::compile(name, why);
    if (!ref) {
      error = "template '" + std::string(text) + "': " + why;
      return std::nullopt;
    }
    if (!pending.empty()) t.parts_.push_back({false, std::move(pending), 0});
    pending.clear();
    t.fields_.push_back(std::move(*ref));
    t.parts_.push_back({true, {}, static_cast<uint32_t>(t.fields_.size() - 1)});
    i = close + 1;
  }
  if (t.fields_.empty()) {
    t.literal_ = std::move(pending);
    t.parts_.clear();
  } else if (!pending.empty()) {
    t.parts_.push_back({false, std::move(pending), 0});
  }
  return t;
}

Template Template::literal(std::string text) {
  Template t;
  t.text_ = text;
  t.literal_ = std::move(text);
  return t;
}

bool Template::reads_payload() const {
  for (const auto& f : fields_)
    if (f.reads_payload()) return true;
  return false;
}

Template::RenderResult Template::render(const MessageContext& m, std::string& out) const {
  RenderResult result;
  if (is_literal()) {
    out.assign(literal_);
    return result;
  }
  out.clear();
  for (const Part& part : parts_) {
    if (!part.is_field) {
      out.append(part.text);
      continue;
    }
    FieldValue v = fields_[part.field].resolve(m);
    if (v.kind == FieldValue::Kind::kNotJson)
      result.not_json = true;
    else if (!append_text(v, out))
      ++result.missing;
  }
  return result;
}

}  // namespace sluice::routing
