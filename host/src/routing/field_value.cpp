#include "routing/field_value.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <sluice/common/json_text.hpp>

namespace sluice::routing {

Number Number::of(double d) {
  Number n{d, 0, false};
  // Integral doubles inside the exact range compare as integers.
  if (std::trunc(d) == d && std::fabs(d) < 9.0e15) {
    n.integer = static_cast<int64_t>(d);
    n.is_integer = true;
  }
  return n;
}

int compare_numbers(const Number& a, const Number& b) {
  if (a.is_integer && b.is_integer) return (a.integer > b.integer) - (a.integer < b.integer);
  return (a.real > b.real) - (a.real < b.real);
}

std::optional<Number> parse_number(std::string_view text) {
  if (text.empty()) return std::nullopt;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  bool negative = false;
  if (*first == '+' || *first == '-') {
    negative = *first == '-';
    ++first;
  }
  // from_chars would also take "inf", "nan" and hex floats; refuse them.
  if (first == last || !((*first >= '0' && *first <= '9') || *first == '.')) return std::nullopt;

  bool integral = true;
  for (const char* p = first; p != last; ++p)
    if (*p < '0' || *p > '9') integral = false;
  if (integral) {
    int64_t i = 0;
    auto [end, ec] = std::from_chars(first, last, i);
    if (ec == std::errc() && end == last) return Number::of(negative ? -i : i);
    // Too large for int64: read it as a double below.
  }
  double d = 0;
  auto [end, ec] = std::from_chars(first, last, d, std::chars_format::general);
  if (ec != std::errc() || end != last) return std::nullopt;
  return Number::of(negative ? -d : d);
}

FieldValue FieldValue::of_json(const boost::json::value* j) {
  FieldValue v;
  if (!j) return v;
  v.json = j;
  switch (j->kind()) {
    case boost::json::kind::null:
      v.kind = Kind::kNull;
      break;
    case boost::json::kind::bool_:
      v.kind = Kind::kBool;
      v.boolean = j->get_bool();
      break;
    case boost::json::kind::int64:
      v.kind = Kind::kNumber;
      v.number = Number::of(j->get_int64());
      break;
    case boost::json::kind::uint64:
      v.kind = Kind::kNumber;
      if (j->get_uint64() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        v.number = Number::of(static_cast<int64_t>(j->get_uint64()));
      else
        v.number = Number{static_cast<double>(j->get_uint64()), 0, false};
      break;
    case boost::json::kind::double_:
      v.kind = Kind::kNumber;
      v.number = Number::of(j->get_double());
      break;
    case boost::json::kind::string:
      v.kind = Kind::kString;
      v.string = std::string_view(j->get_string());
      break;
    case boost::json::kind::object:
      v.kind = Kind::kObject;
      break;
    case boost::json::kind::array:
      v.kind = Kind::kArray;
      break;
  }
  return v;
}

std::optional<Number> FieldValue::as_number() const {
  if (kind == Kind::kNumber) return number;
  if (kind == Kind::kString) return parse_number(string);
  return std::nullopt;
}

bool append_text(const FieldValue& value, std::string& out) {
  switch (value.kind) {
    case FieldValue::Kind::kMissing:
    case FieldValue::Kind::kNotJson:
      return false;
    case FieldValue::Kind::kString:
      out.append(value.string);
      return true;
    case FieldValue::Kind::kNull:
      out.append("null");
      return true;
    case FieldValue::Kind::kBool:
      out.append(value.boolean ? "true" : "false");
      return true;
    case FieldValue::Kind::kNumber: {
      char buf[32];
      std::to_chars_result r{buf, std::errc()};
      if (value.json && value.json->is_uint64()) {
        r = std::to_chars(buf, buf + sizeof buf, value.json->get_uint64());
      } else if (!value.json && !value.number.is_integer &&
                 value.raw.find_first_of(".eE") == std::string_view::npos && !value.raw.empty()) {
        out.append(value.raw);  // an integer too large for int64, as written
        return true;
      } else if (value.number.is_integer) {
        r = std::to_chars(buf, buf + sizeof buf, value.number.integer);
      } else {
        common::append_json_number(out, value.number.real);  // 12.5, not 1.25E1
        return true;
      }
      out.append(buf, r.ec == std::errc() ? r.ptr : buf);
      return true;
    }
    case FieldValue::Kind::kObject:
    case FieldValue::Kind::kArray:
      if (value.json)
        out.append(common::to_json_text(*value.json));
      else
        out.append(value.raw);  // as written in the payload, spacing included
      return true;
  }
  return false;
}

}  // namespace sluice::routing
