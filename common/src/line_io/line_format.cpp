#include <boost/json/basic_parser_impl.hpp>
#include <cstdio>
#include <sluice/common/line_io/line_format.hpp>

namespace sluice::common::line_io {
namespace {

// A boost::json handler that builds nothing: the parser only validates.
struct ValidatingHandler {
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);
  using ec = boost::system::error_code;
  bool on_document_begin(ec&) { return true; }
  bool on_document_end(ec&) { return true; }
  bool on_object_begin(ec&) { return true; }
  bool on_object_end(std::size_t, ec&) { return true; }
  bool on_array_begin(ec&) { return true; }
  bool on_array_end(std::size_t, ec&) { return true; }
  bool on_key_part(boost::json::string_view, std::size_t, ec&) { return true; }
  bool on_key(boost::json::string_view, std::size_t, ec&) { return true; }
  bool on_string_part(boost::json::string_view, std::size_t, ec&) { return true; }
  bool on_string(boost::json::string_view, std::size_t, ec&) { return true; }
  bool on_number_part(boost::json::string_view, ec&) { return true; }
  bool on_int64(std::int64_t, boost::json::string_view, ec&) { return true; }
  bool on_uint64(std::uint64_t, boost::json::string_view, ec&) { return true; }
  bool on_double(double, boost::json::string_view, ec&) { return true; }
  bool on_bool(bool, ec&) { return true; }
  bool on_null(ec&) { return true; }
  bool on_comment_part(boost::json::string_view, ec&) { return true; }
  bool on_comment(boost::json::string_view, ec&) { return true; }
};

// Length of the valid UTF-8 sequence at s[i], or 0 when it is invalid.
size_t utf8_sequence_length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t n;
  uint32_t min;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  uint32_t code = c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return n;
}

// Appends valid JSON text on one line: raw newlines can only be
// insignificant whitespace in valid JSON, so they become spaces.
void append_single_line(std::string& out, std::string_view json) {
  size_t first = json.find_first_not_of(" \t\r\n");
  size_t last = json.find_last_not_of(" \t\r\n");
  json = json.substr(first, last - first + 1);
  size_t start = out.size();
  out.append(json);
  for (size_t i = start; i < out.size(); ++i)
    if (out[i] == '\n' || out[i] == '\r') out[i] = ' ';
}

}  // namespace

LineFormat parse_line_format(std::string_view name) {
  return name == "json" ? LineFormat::kJson : LineFormat::kRaw;
}

bool is_valid_json(std::string_view text) {
  boost::json::basic_parser<ValidatingHandler> parser{boost::json::parse_options{}};
  boost::system::error_code ec;
  // write_some stops after one value; leftover bytes mean trailing garbage.
  size_t used = parser.write_some(false, text.data(), text.size(), ec);
  return !ec && used == text.size();
}

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      size_t n = utf8_sequence_length(text, i);
      if (n == 0) {
        out.append("\\ufffd");
        ++i;
      } else {
        out.append(text.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default:
        if (c < 0x20) {
          out.append("\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
}

void append_line(std::string& out, const MessageView& message, LineFormat format) {
  if (format == LineFormat::kRaw) {
    out.append(message.payload());
    out.push_back('\n');
    return;
  }
  out.append("{\"subject\":");
  append_json_string(out, message.subject());
  out.append(",\"key\":");
  if (message.has_key()) {
    append_json_string(out, message.key());
  } else {
    out.append("null");
  }
  out.append(",\"headers\":{");
  for (size_t i = 0; i < message.header_count(); ++i) {
    if (i) out.push_back(',');
    append_json_string(out, message.header_name(i));
    out.push_back(':');
    append_json_string(out, message.header_value(i));
  }
  out.append("},\"timestamp\":");
  char number[24];
  int n =
      std::snprintf(number, sizeof number, "%lld", static_cast<long long>(message.timestamp_ms()));
  out.append(number, static_cast<size_t>(n));
  out.append(",\"payload\":");
  std::string_view payload = message.payload();
  if (is_valid_json(payload)) {
    append_single_line(out, payload);
  } else {
    append_json_string(out, payload);
  }
  out.append("}\n");
}

}  // namespace sluice::common::line_io
