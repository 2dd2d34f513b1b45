#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>
#include <sluice/common/json_text.hpp>

namespace sluice::common {
namespace {

uint64_t bits_of(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return bits;
}

bool starts_number(char c) { return c == '-' || (c >= '0' && c <= '9'); }
bool in_number(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

// Calls `on_number(begin, end)` for each number token of a JSON text (the
// characters outside strings), in order.
template <class OnNumber>
void for_each_number(std::string_view text, OnNumber&& on_number) {
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (starts_number(c)) {
      size_t end = i;
      while (end < text.size() && in_number(text[end])) ++end;
      on_number(i, end);
      i = end - 1;
    }
  }
}

// The double Boost's shortest text (or any exact decimal text) stands for.
std::optional<double> read_exact_double(std::string_view token) {
  double d = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), d);
  if (ec != std::errc() || end != token.data() + token.size()) return std::nullopt;
  return d;
}

// The double Boost's parser makes of `token`: the value a parsed document
// holds, which Boost 1.81 does not always round exactly (an integer beyond
// 64 bits, some long fractions), and which NumberTexts must find again.
std::optional<double> read_parsed_double(std::string_view token) {
  boost::system::error_code ec;
  auto v = boost::json::parse(token, ec);
  if (ec || !v.is_double()) return std::nullopt;
  return v.get_double();
}

// Integer tokens short enough to be read as int64 or uint64 keep their
// text anyway; longer ones, and fractions and exponents, are doubles.
bool may_be_double(std::string_view token) {
  return token.find_first_of(".eE") != std::string_view::npos || token.size() > 19;
}

}  // namespace

void append_json_number(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char buf[64];
  const double magnitude = std::fabs(d);
  // JavaScript's rule: plain digits from 1e-7 up to 1e21, an exponent
  // beyond (where plain would be a row of zeros).
  auto format = (magnitude == 0 || (magnitude >= 1e-7 && magnitude < 1e21))
                    ? std::chars_format::fixed
                    : std::chars_format::scientific;
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, format);
  out.append(buf, ec == std::errc() ? end : buf);
}

NumberTexts NumberTexts::of(std::string_view json_text) {
  NumberTexts texts;
  std::string canonical;
  for_each_number(json_text, [&](size_t begin, size_t end) {
    std::string_view token = json_text.substr(begin, end - begin);
    if (!may_be_double(token)) return;
    auto d = read_parsed_double(token);
    if (!d) return;
    canonical.clear();
    append_json_number(canonical, *d);
    if (canonical != token) texts.texts_.emplace(bits_of(*d), std::string(token));
  });
  return texts;
}

const std::string* NumberTexts::text_of(double d) const {
  auto it = texts_.find(bits_of(d));
  return it == texts_.end() ? nullptr : &it->second;
}

std::string to_json_text(const boost::json::value& v, const NumberTexts* originals) {
  std::string boost_text = boost::json::serialize(v);
  // Boost writes every double with an 'E' (and integers without one):
  // those tokens are rewritten, the rest is copied as it is.
  if (boost_text.find_first_of("E") == std::string::npos) return boost_text;
  std::string out;
  out.reserve(boost_text.size());
  size_t copied = 0;
  for_each_number(boost_text, [&](size_t begin, size_t end) {
    std::string_view token(boost_text.data() + begin, end - begin);
    if (token.find('E') == std::string_view::npos) return;
    auto d = read_exact_double(token);
    if (!d) return;  // Boost's text for infinity (1e99999): left as it is
    out.append(boost_text, copied, begin - copied);
    if (const std::string* original = originals ? originals->text_of(*d) : nullptr)
      out += *original;
    else
      append_json_number(out, *d);
    copied = end;
  });
  out.append(boost_text, copied, std::string::npos);
  return out;
}

std::optional<std::string> scalar_text(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::string:
      return std::string(value.get_string());
    case boost::json::kind::double_: {
      std::string text;
      append_json_number(text, value.get_double());
      return text;
    }
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::bool_:
      return boost::json::serialize(value);
    default:
      return std::nullopt;
  }
}

}  // namespace sluice::common
