// Finding a path in JSON text that has been validated: only value
// boundaries are looked for, a word at a time inside strings.
#include "routing/json_scanner.hpp"

#include <limits>

#include "routing/json_text.hpp"

namespace sluice::routing {

namespace {

using namespace json_text;

// Navigation inside a document already validated: only finds boundaries.
const char* skip_ws(const char* p, const char* end) {
  while (p < end && static_cast<Byte>(*p) <= ' ' && is_ws(static_cast<Byte>(*p))) ++p;
  return p;
}

// At an opening quote; returns past the closing one.
const char* skip_string(const char* p, const char* end, bool& escaped) {
  auto* b = reinterpret_cast<const Byte*>(p + 1);
  auto* e = reinterpret_cast<const Byte*>(end);
  for (;;) {
    b = skip_to_quote_or_escape(b, e);
    if (b >= e) return end;
    if (*b == '"') return reinterpret_cast<const char*>(b + 1);
    escaped = true;
    b += 2;
  }
}

const char* skip_value(const char* p, const char* end) {
  if (p >= end) return end;
  bool escaped = false;
  if (*p == '"') return skip_string(p, end, escaped);
  if (*p == '{' || *p == '[') {
    int depth = 0;
    while (p < end) {
      char c = *p;
      if (c == '"') {
        p = skip_string(p, end, escaped);
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (--depth == 0) return p + 1;
      }
      ++p;
    }
    return end;
  }
  while (p < end && *p != ',' && *p != '}' && *p != ']' && !is_ws(static_cast<Byte>(*p))) ++p;
  return p;
}

void append_utf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

void json_text::unescape(std::string_view in, std::string& out) {
  out.clear();
  const Byte* p = reinterpret_cast<const Byte*>(in.data());
  const Byte* end = p + in.size();
  while (p < end) {
    if (*p != '\\') {
      out += static_cast<char>(*p++);
      continue;
    }
    ++p;
    char c = static_cast<char>(*p++);
    switch (c) {
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        uint32_t cp = 0;
        read_hex4(p, end, cp);
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          p += 2;  // the validator guaranteed "\u" and a low surrogate
          uint32_t low = 0;
          read_hex4(p, end, low);
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        append_utf8(cp, out);
        break;
      }
      default:  // " \ /
        out += c;
    }
  }
}

namespace {

bool key_equals(std::string_view raw, bool escaped, std::string_view key) {
  if (!escaped) return raw == key;
  std::string decoded;
  unescape(raw, decoded);
  return decoded == key;
}

}  // namespace

namespace {

// At the start of a value; returns the end of it. Notes in `found` where
// the value at path steps [i, n) inside it is; scanning on after a match
// keeps the last of duplicate keys, as boost::json does.
const char* walk(const char* p, const char* end, const std::vector<JsonPath::Step>& steps, size_t i,
                 std::string_view& found) {
  if (i == steps.size()) {
    const char* value_end = skip_value(p, end);
    found = std::string_view(p, static_cast<size_t>(value_end - p));
    return value_end;
  }
  const JsonPath::Step& step = steps[i];
  if (*p == '{' && !step.is_index()) {
    p = skip_ws(p + 1, end);
    while (p < end && *p == '"') {
      bool escaped = false;
      const char* key_end = skip_string(p, end, escaped);
      std::string_view key(p + 1, static_cast<size_t>(key_end - p - 2));
      p = skip_ws(skip_ws(key_end, end) + 1, end);  // past ':'
      if (key_equals(key, escaped, step.key)) {
        found = {};  // a repeated key replaces what its earlier value held
        p = walk(p, end, steps, i + 1, found);
      } else {
        p = skip_value(p, end);
      }
      p = skip_ws(p, end);
      if (p < end && *p == ',') p = skip_ws(p + 1, end);
    }
    return p < end ? p + 1 : end;  // past '}'
  }
  if (*p == '[' && step.is_index()) {
    p = skip_ws(p + 1, end);
    for (int64_t index = 0; p < end && *p != ']'; ++index) {
      p = index == step.index ? walk(p, end, steps, i + 1, found) : skip_value(p, end);
      p = skip_ws(p, end);
      if (p < end && *p == ',') p = skip_ws(p + 1, end);
    }
    return p < end ? p + 1 : end;  // past ']'
  }
  return skip_value(p, end);
}

}  // namespace

FieldValue JsonScanner::find(std::string_view doc, const JsonPath& path, std::string& scratch) {
  const char* end = doc.data() + doc.size();
  const char* p = skip_ws(doc.data(), end);
  if (p >= end) return FieldValue::missing();
  std::string_view found;
  walk(p, end, path.steps(), 0, found);
  if (found.data() == nullptr) return FieldValue::missing();
  return value_at(found, scratch);
}

FieldValue JsonScanner::value_at(std::string_view raw, std::string& scratch) {
  FieldValue v;
  if (raw.empty()) return v;
  switch (raw.front()) {
    case '"': {
      std::string_view content = raw.substr(1, raw.size() - 2);
      if (content.find('\\') != std::string_view::npos) {
        unescape(content, scratch);
        content = scratch;
      }
      return FieldValue::of_string(content);
    }
    case '{':
      v.kind = FieldValue::Kind::kObject;
      v.raw = raw;
      return v;
    case '[':
      v.kind = FieldValue::Kind::kArray;
      v.raw = raw;
      return v;
    case 't':
    case 'f':
      v.kind = FieldValue::Kind::kBool;
      v.boolean = raw.front() == 't';
      return v;
    case 'n':
      v.kind = FieldValue::Kind::kNull;
      return v;
    default:
      v.kind = FieldValue::Kind::kNumber;
      v.raw = raw;
      if (auto n = parse_number(raw)) {
        v.number = *n;
      } else {
        // Valid JSON but out of double range: what boost::json makes of it.
        bool tiny =
            raw.find("e-") != std::string_view::npos || raw.find("E-") != std::string_view::npos;
        double inf = std::numeric_limits<double>::infinity();
        v.number = Number{tiny ? 0.0 : (raw.front() == '-' ? -inf : inf), 0, false};
      }
      return v;
  }
}

}  // namespace sluice::routing
