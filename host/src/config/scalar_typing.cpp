#include "config/scalar_typing.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>

namespace sluice::config {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool one_of(std::string_view text, std::initializer_list<std::string_view> words) {
  for (auto w : words) {
    if (text == w) return true;
  }
  return false;
}

bool all_of_chars(std::string_view text, bool (*pred)(char)) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!pred(c)) return false;
  }
  return true;
}

bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_octal(char c) { return c >= '0' && c <= '7'; }

bool looks_integer(std::string_view t) {
  if (t.size() > 2 && t[0] == '0' && t[1] == 'x') return all_of_chars(t.substr(2), is_hex);
  if (t.size() > 2 && t[0] == '0' && t[1] == 'o') return all_of_chars(t.substr(2), is_octal);
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) t.remove_prefix(1);
  return all_of_chars(t, is_digit);
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool looks_float(std::string_view t) {
  size_t i = 0;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
  size_t int_digits = 0, frac_digits = 0;
  while (i < t.size() && is_digit(t[i])) ++i, ++int_digits;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && is_digit(t[i])) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
    size_t exp_digits = 0;
    while (i < t.size() && is_digit(t[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == t.size();
}

}  // namespace

std::optional<double> scalar_float(const ConfigNode& node) {
  std::string_view t = node.text;
  if (!t.empty() && t[0] == '+') t.remove_prefix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec == std::errc::result_out_of_range) {
    // from_chars says only "out of range": strtod tells overflow (HUGE_VAL)
    // from underflow (0). The text is digits, sign, '.' and 'e' only.
    double rounded = std::strtod(std::string(t).c_str(), nullptr);
    if (std::isinf(rounded)) return std::nullopt;
    return 0.0;
  }
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

ScalarType scalar_type(const ConfigNode& node) {
  if (node.is_null()) return ScalarType::kNull;
  if (!node.is_scalar() || node.literal_string) return ScalarType::kString;
  const std::string& t = node.text;
  // An empty plain scalar can only come from ${VAR:-}: the user meant "".
  if (t.empty()) return ScalarType::kString;
  if (one_of(t, {"null", "Null", "NULL", "~"})) return ScalarType::kNull;
  if (one_of(t, {"true", "True", "TRUE", "false", "False", "FALSE"})) return ScalarType::kBool;
  if (looks_integer(t)) return ScalarType::kInteger;
  // .inf and .nan are floats in YAML but have no JSON form: they stay strings.
  if (looks_float(t)) return ScalarType::kFloat;
  return ScalarType::kString;
}

std::optional<std::int64_t> scalar_integer(const ConfigNode& node) {
  std::string_view t = node.text;
  int base = 10;
  bool negative = false;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'o')) {
    base = t[1] == 'x' ? 16 : 8;
    t.remove_prefix(2);
  } else if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
    negative = t[0] == '-';
    t.remove_prefix(1);
  }
  std::uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), magnitude, base);
  if (ec != std::errc() || end != t.data() + t.size()) return std::nullopt;
  constexpr std::uint64_t kMaxPositive = static_cast<std::uint64_t>(INT64_MAX);
  if (negative) {
    if (magnitude > kMaxPositive + 1) return std::nullopt;
    return magnitude == kMaxPositive + 1 ? INT64_MIN : -static_cast<std::int64_t>(magnitude);
  }
  if (magnitude > kMaxPositive) return std::nullopt;
  return static_cast<std::int64_t>(magnitude);
}

boost::json::value to_json(const ConfigNode& node, std::vector<Diagnostic>& errors) {
  switch (node.kind) {
    case ConfigNode::Kind::kSequence: {
      boost::json::array array;
      for (const auto& item : node.items) array.push_back(to_json(item, errors));
      return array;
    }
    case ConfigNode::Kind::kMapping: {
      boost::json::object object;
      for (const auto& entry : node.entries) object[entry.key] = to_json(entry.value, errors);
      return object;
    }
    default:
      break;
  }
  switch (scalar_type(node)) {
    case ScalarType::kNull:
      return nullptr;
    case ScalarType::kBool:
      return node.text[0] == 't' || node.text[0] == 'T';
    case ScalarType::kInteger:
      if (auto value = scalar_integer(node)) return *value;
      errors.push_back({node.where, "the integer " + node.text +
                                        " does not fit in 64 bits; quote it to pass it as a "
                                        "string"});
      return nullptr;
    case ScalarType::kFloat:
      if (auto value = scalar_float(node)) return *value;
      errors.push_back({node.where, "the number " + node.text +
                                        " is too large (the largest is about 1.8e308); write "
                                        "a finite number"});
      return nullptr;
    case ScalarType::kString:
      break;
  }
  return boost::json::string(node.text);
}

std::string describe(const ConfigNode& node) {
  switch (node.kind) {
    case ConfigNode::Kind::kNull:
      return "nothing (null)";
    case ConfigNode::Kind::kSequence:
      return "a list";
    case ConfigNode::Kind::kMapping:
      return "a mapping";
    case ConfigNode::Kind::kScalar:
      break;
  }
  switch (scalar_type(node)) {
    case ScalarType::kNull:
      return "null";
    case ScalarType::kBool:
      return "the boolean " + node.text;
    case ScalarType::kInteger:
      return "the integer " + node.text;
    case ScalarType::kFloat:
      return "the number " + node.text;
    case ScalarType::kString:
      break;
  }
  return std::string(node.literal_string ? "the quoted string \"" : "the string \"") + node.text +
         "\"";
}

}  // namespace sluice::config
