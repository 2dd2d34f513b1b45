// A borrowed view of one value read from a message (a payload field, the
// subject, a header...), and the number rules shared by predicates and
// templates: "12.50" is a number when compared with a number.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::routing {

// A number kept exact when it is an integer, so large ids compare exactly.
struct Number {
  double real = 0;
  int64_t integer = 0;
  bool is_integer = false;

  static Number of(double d);
  static Number of(int64_t i) { return {static_cast<double>(i), i, true}; }
};

// -1, 0 or 1.
int compare_numbers(const Number& a, const Number& b);

// Parses a plain decimal number ("12.50", "+20.6", "-1e3", "42"); no spaces,
// hex, "inf" or "nan". Nothing when the text is not such a number.
std::optional<Number> parse_number(std::string_view text);

struct FieldValue {
  enum class Kind : uint8_t {
    kMissing,  // the field is not there
    kNotJson,  // the field is in the payload and the payload is not JSON
    kNull,
    kBool,
    kNumber,
    kString,
    kObject,
    kArray,
  };
  Kind kind = Kind::kMissing;
  bool boolean = false;
  Number number;
  std::string_view string;
  const boost::json::value* json = nullptr;  // set for values read from a parsed payload
  // Set for values read by scanning the payload text (JsonScanner): the JSON
  // text of an object, array or number.
  std::string_view raw;

  static FieldValue missing() { return {}; }
  static FieldValue not_json() {
    FieldValue v;
    v.kind = Kind::kNotJson;
    return v;
  }
  static FieldValue of_string(std::string_view s) {
    FieldValue v;
    v.kind = Kind::kString;
    v.string = s;
    return v;
  }
  static FieldValue of_json(const boost::json::value* j);

  // The value as a number: a JSON number, or a string that parses as one.
  std::optional<Number> as_number() const;
};

// Appends the value as text for a subject or key: strings as-is (no quotes),
// numbers and booleans as JSON writes them, objects and arrays serialised.
// Returns false (and appends nothing) for a missing or not-JSON value.
bool append_text(const FieldValue& value, std::string& out);

}  // namespace sluice::routing
