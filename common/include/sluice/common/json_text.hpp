// JSON text with numbers as people write them. Boost.JSON 1.81 writes a
// double as "1.25E1"; here a double is written in the shortest text that
// reads back as the same double, plain where plain is reasonable, as
// JavaScript does (12.5, 119.97, 100000, 1e+21, 1e-7), and numbers that a
// payload had and nothing changed keep the text they were written with
// (12.50 stays 12.50, 1E3 stays 1E3).
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sluice::common {

// Appends `d` as above; a non-finite double (which JSON cannot hold) as null.
void append_json_number(std::string& out, double d);

// The numbers of a JSON text whose text is not the one append_json_number
// gives for their value, by value.
class NumberTexts {
 public:
  static NumberTexts of(std::string_view json_text);
  // The text `d` was written with, or nullptr when append_json_number's is it.
  const std::string* text_of(double d) const;
  bool empty() const { return texts_.empty(); }

 private:
  std::unordered_map<uint64_t, std::string> texts_;  // by the double's bits
};

// `v` as JSON text, numbers as above: a double whose value is one of
// `originals` is written with its original text.
std::string to_json_text(const boost::json::value& v, const NumberTexts* originals = nullptr);

// The text a scalar stands for where a field's value is used as text (an
// index key, a URL segment, a header): strings as they are, without quotes,
// numbers as above, booleans as JSON writes them. Objects, arrays and null
// have none.
std::optional<std::string> scalar_text(const boost::json::value& value);

}  // namespace sluice::common
