#include "template.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>
#include <sluice/settings.hpp>

namespace sluice::generate {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

int64_t parse_int(std::string_view s, std::string_view what) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size())
    throw std::invalid_argument(std::string(what) + " '" + std::string(s) + "' is not an integer");
  return v;
}

double parse_double(std::string_view s, std::string_view what) {
  std::string text(s);
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size())
    throw std::invalid_argument(std::string(what) + " '" + text + "' is not a number");
  return v;
}

void append_int(std::string& out, int64_t v, int width) {
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, "%0*lld", width, static_cast<long long>(v));
  out.append(buf, static_cast<size_t>(n));
}

void append_uuid(std::string& out, std::mt19937_64& rng) {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // RFC 4122 variant
  unsigned char bytes[16];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>(hi >> (56 - 8 * i));
  for (int i = 0; i < 8; ++i) bytes[8 + i] = static_cast<unsigned char>(lo >> (56 - 8 * i));
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0xF]);
  }
}

void append_iso(std::string& out, int64_t now_ms) {
  std::time_t seconds = static_cast<std::time_t>(now_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  n += static_cast<size_t>(
      std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(now_ms % 1000)));
  out.append(buf, n);
}

constexpr const char* kKnown =
    "counter, cycle:N[:W], randint:LO:HI[:W], randfloat:LO:HI[:D], random:a|b|c, now_ms, "
    "now_iso, uuid, or a name from `vars`";

}  // namespace

bool is_builtin_placeholder(std::string_view name) {
  for (const char* b :
       {"counter", "cycle", "randint", "randfloat", "random", "now_ms", "now_iso", "uuid", "var"})
    if (name == b) return true;
  return false;
}

Template::Part Template::parse_placeholder(std::string_view body,
                                           const std::vector<std::string>& var_names) {
  auto args = split(body, ':');
  std::string_view name = args[0];
  auto want_args = [&](size_t min, size_t max) {
    size_t n = args.size() - 1;
    if (n < min || n > max)
      throw std::invalid_argument("'" + std::string(name) + "' takes " + std::to_string(min) +
                                  (min == max ? "" : " to " + std::to_string(max)) +
                                  " arguments separated by ':'");
  };
  Part p;
  if (name == "counter") {
    want_args(0, 0);
    p.kind = Kind::kCounter;
  } else if (name == "cycle") {
    want_args(1, 2);
    p.kind = Kind::kCycle;
    p.high = parse_int(args[1], "cycle length");
    if (p.high < 1) throw std::invalid_argument("cycle length must be at least 1");
    if (args.size() > 2) p.width = static_cast<int>(parse_int(args[2], "width"));
  } else if (name == "randint") {
    want_args(2, 3);
    p.kind = Kind::kRandInt;
    p.low = parse_int(args[1], "lower bound");
    p.high = parse_int(args[2], "upper bound");
    if (p.low > p.high)
      throw std::invalid_argument("randint's lower bound exceeds its upper bound");
    if (args.size() > 3) p.width = static_cast<int>(parse_int(args[3], "width"));
  } else if (name == "randfloat") {
    want_args(2, 3);
    p.kind = Kind::kRandFloat;
    p.low_f = parse_double(args[1], "lower bound");
    p.high_f = parse_double(args[2], "upper bound");
    if (p.low_f > p.high_f)
      throw std::invalid_argument("randfloat's lower bound exceeds its upper bound");
    p.width = args.size() > 3 ? static_cast<int>(parse_int(args[3], "decimals")) : 6;
  } else if (name == "random") {
    if (args.size() < 2) throw std::invalid_argument("'random' needs choices: ${random:a|b|c}");
    p.kind = Kind::kChoice;
    // Everything after "random:" is the choice list, so choices may hold ':'.
    for (auto c : split(body.substr(body.find(':') + 1), '|')) p.choices.emplace_back(c);
  } else if (name == "now_ms" || name == "now_iso" || name == "uuid") {
    want_args(0, 0);
    p.kind = name == "now_ms" ? Kind::kNowMs : name == "now_iso" ? Kind::kNowIso : Kind::kUuid;
  } else {
    std::string_view var = name == "var" && args.size() == 2 ? args[1] : body;
    for (size_t i = 0; i < var_names.size(); ++i) {
      if (var_names[i] == var) {
        p.kind = Kind::kVar;
        p.var = i;
        return p;
      }
    }
    throw std::invalid_argument("unknown placeholder (known: " + std::string(kKnown) + ")");
  }
  if (p.width < 0 || p.width > 30) throw std::invalid_argument("width must be 0 to 30");
  return p;
}

Template Template::compile(std::string_view text, const std::vector<std::string>& var_names,
                           std::string_view setting) {
  Template t;
  std::string literal;
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {  // escaped: a literal "${"
      literal += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      literal += text[i++];
      continue;
    }
    size_t close = text.find('}', i + 2);
    auto fail = [&](const std::string& why) {
      throw ConfigError("setting '" + std::string(setting) + "': " + why + " at column " +
                        std::to_string(i + 1) + " of \"" + std::string(text) + "\"");
    };
    if (close == std::string_view::npos) fail("unclosed '${'");
    std::string_view body = text.substr(i + 2, close - i - 2);
    Part p;
    try {
      p = parse_placeholder(body, var_names);
    } catch (const std::invalid_argument& e) {
      fail("${" + std::string(body) + "}: " + e.what());
    }
    if (!literal.empty()) {
      Part lit;
      lit.text = std::move(literal);
      t.parts_.push_back(std::move(lit));
      literal.clear();
    }
    t.parts_.push_back(std::move(p));
    i = close + 1;
  }
  if (!literal.empty()) {
    Part lit;
    lit.text = std::move(literal);
    t.parts_.push_back(std::move(lit));
  }
  return t;
}

void Template::render(std::string& out, const RenderContext& c) const {
  for (const Part& p : parts_) {
    switch (p.kind) {
      case Kind::kLiteral:
        out.append(p.text);
        break;
      case Kind::kCounter:
        append_int(out, static_cast<int64_t>(c.counter), 0);
        break;
      case Kind::kCycle:
        append_int(out, static_cast<int64_t>((c.counter - 1) % static_cast<uint64_t>(p.high)) + 1,
                   p.width);
        break;
      case Kind::kRandInt:
        append_int(out, std::uniform_int_distribution<int64_t>(p.low, p.high)(*c.rng), p.width);
        break;
      case Kind::kRandFloat: {
        double v = std::uniform_real_distribution<double>(p.low_f, p.high_f)(*c.rng);
        char buf[64];
        int n = std::snprintf(buf, sizeof buf, "%.*f", p.width, v);
        out.append(buf, static_cast<size_t>(n));
        break;
      }
      case Kind::kChoice:
        out.append(
            p.choices[std::uniform_int_distribution<size_t>(0, p.choices.size() - 1)(*c.rng)]);
        break;
      case Kind::kNowMs:
        append_int(out, c.now_ms, 0);
        break;
      case Kind::kNowIso:
        append_iso(out, c.now_ms);
        break;
      case Kind::kUuid:
        append_uuid(out, *c.rng);
        break;
      case Kind::kVar:
        out.append((*c.vars)[p.var]);
        break;
    }
  }
}

}  // namespace sluice::generate
