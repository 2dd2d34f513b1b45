// A strict single-pass JSON validator mirroring boost::json's default
// grammar, which can also note where one path's value is on the way.
#include <algorithm>
#include <bit>
#include <boost/json/parse.hpp>
#include <span>

#include "routing/json_scanner.hpp"
#include "routing/json_text.hpp"

namespace sluice::routing {

namespace {

using namespace json_text;

// boost::json's default parse_options::max_depth.
constexpr int kMaxDepth = 32;

class Validator {
 public:
  // Notes where each of `paths` (at most 64) is while validating; `found`
  // gets one span per path (empty data() when the path is not there).
  Validator(std::string_view doc, std::span<const JsonPath* const> paths,
            std::span<std::string_view> found)
      : p_(reinterpret_cast<const Byte*>(doc.data())),
        end_(p_ + doc.size()),
        paths_(paths.first(std::min<size_t>(paths.size(), 64))),
        found_(found) {}

  bool document() {
    uint64_t all = paths_.size() == 64 ? ~uint64_t{0} : (uint64_t{1} << paths_.size()) - 1;
    if (!value(0, all)) return false;
    skip_ws();
    return p_ == end_;
  }

 private:
  bool skip_ws() {
    // Usually there is none: anything above ' ' ends it at once.
    while (p_ < end_ && *p_ <= ' ' && is_ws(*p_)) ++p_;
    return p_ < end_;
  }

  // `alive`: the paths whose first `level` steps led to this value.
  bool value(size_t level, uint64_t alive) {
    if (!skip_ws()) return false;
    const Byte* start = p_;
    bool ok;
    switch (*p_) {
      case '{':
        ok = object(level, alive);
        break;
      case '[':
        ok = array(level, alive);
        break;
      case '"':
        ok = string();
        break;
      case 't':
        ok = literal("true");
        break;
      case 'f':
        ok = literal("false");
        break;
      case 'n':
        ok = literal("null");
        break;
      default:
        ok = number();
    }
    if (ok && alive) {
      for (uint64_t m = alive; m; m &= m - 1) {
        size_t j = static_cast<size_t>(std::countr_zero(m));
        if (paths_[j]->steps().size() == level)
          found_[j] = std::string_view(reinterpret_cast<const char*>(start),
                                       static_cast<size_t>(p_ - start));
      }
    }
    return ok;
  }

  // The paths among `alive` whose step at `level` is the member `raw_key`.
  uint64_t member_paths(size_t level, uint64_t alive, std::string_view raw_key, bool escaped) {
    uint64_t out = 0;
    std::string decoded;
    if (escaped) unescape(raw_key, decoded);
    std::string_view key = escaped ? std::string_view(decoded) : raw_key;
    for (uint64_t m = alive; m; m &= m - 1) {
      size_t j = static_cast<size_t>(std::countr_zero(m));
      const auto& steps = paths_[j]->steps();
      if (level < steps.size() && !steps[level].is_index() && steps[level].key == key) {
        out |= uint64_t{1} << j;
        found_[j] = {};  // a repeated key replaces what its earlier value held
      }
    }
    return out;
  }

  uint64_t element_paths(size_t level, uint64_t alive, int64_t index) const {
    uint64_t out = 0;
    for (uint64_t m = alive; m; m &= m - 1) {
      size_t j = static_cast<size_t>(std::countr_zero(m));
      const auto& steps = paths_[j]->steps();
      if (level < steps.size() && steps[level].index == index) out |= uint64_t{1} << j;
    }
    return out;
  }

  bool object(size_t level, uint64_t alive) {
    if (static_cast<int>(level) >= kMaxDepth) return false;
    ++p_;
    if (!skip_ws()) return false;
    if (*p_ == '}') {
      ++p_;
      return true;
    }
    for (;;) {
      if (*p_ != '"') return false;
      const Byte* key_start = p_ + 1;
      bool escaped = false;
      if (!string(&escaped)) return false;
      std::string_view key(reinterpret_cast<const char*>(key_start),
                           static_cast<size_t>(p_ - 1 - key_start));
      if (!skip_ws() || *p_ != ':') return false;
      ++p_;
      uint64_t child = alive ? member_paths(level, alive, key, escaped) : 0;
      if (!value(level + 1, child) || !skip_ws()) return false;
      if (*p_ == '}') {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
      if (!skip_ws()) return false;
    }
  }

  bool array(size_t level, uint64_t alive) {
    if (static_cast<int>(level) >= kMaxDepth) return false;
    ++p_;
    if (!skip_ws()) return false;
    if (*p_ == ']') {
      ++p_;
      return true;
    }
    for (int64_t index = 0;; ++index) {
      uint64_t child = alive ? element_paths(level, alive, index) : 0;
      if (!value(level + 1, child) || !skip_ws()) return false;
      if (*p_ == ']') {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
    }
  }

  bool literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size()) return false;
    for (size_t i = 0; i < word.size(); ++i)
      if (p_[i] != static_cast<Byte>(word[i])) return false;
    p_ += word.size();
    return true;
  }

  bool digits() {
    const Byte* start = p_;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    return p_ != start;
  }

  bool number() {
    const Byte* start = p_;
    if (p_ < end_ && *p_ == '-') ++p_;
    if (p_ == end_) return false;
    if (*p_ == '0') {
      ++p_;
    } else if (!digits()) {
      return false;
    }
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      if (!digits()) return false;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      while (p_ < end_ && *p_ == '0') ++p_;  // leading zeros do not count
      const Byte* exponent = p_;
      if (!digits() && p_[-1] != '0') return false;
      // boost::json refuses a number whose exponent (with the mantissa's
      // own scale) leaves int: with ten or more exponent digits, ask it
      // about this one number (rare, and exact).
      if (p_ - exponent >= 10) return boost_accepts_number(start, p_);
    }
    return true;
  }

  static bool boost_accepts_number(const Byte* begin, const Byte* end) {
    boost::system::error_code ec;
    boost::json::parse(
        std::string_view(reinterpret_cast<const char*>(begin), static_cast<size_t>(end - begin)),
        ec);
    return !ec;
  }

  bool string(bool* escaped = nullptr) {
    ++p_;  // opening quote
    for (;;) {
      p_ = skip_plain(p_, end_);
      if (p_ == end_) return false;
      Byte c = *p_;
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c == '\\') {
        if (escaped) *escaped = true;
        if (!escape()) return false;
      } else if (c < 0x20) {
        return false;
      } else if (!utf8_sequence()) {
        return false;
      }
    }
  }

  bool escape() {
    ++p_;
    if (p_ == end_) return false;
    switch (*p_++) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        return true;
      case 'u': {
        uint32_t cp;
        if (!read_hex4(p_, end_, cp)) return false;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // trailing surrogate alone
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
          p_ += 2;
          uint32_t low;
          if (!read_hex4(p_, end_, low) || low < 0xDC00 || low > 0xDFFF) return false;
        }
        return true;
      }
      default:
        return false;
    }
  }

  // One multi-byte UTF-8 character (RFC 3629: no overlongs, no surrogates).
  bool utf8_sequence() {
    Byte c = *p_;
    int more;
    Byte lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      more = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      more = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      more = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (end_ - p_ <= more) return false;
    if (p_[1] < lo || p_[1] > hi) return false;
    for (int i = 2; i <= more; ++i)
      if (p_[i] < 0x80 || p_[i] > 0xBF) return false;
    p_ += more + 1;
    return true;
  }

  const Byte* p_;
  const Byte* end_;
  std::span<const JsonPath* const> paths_;
  std::span<std::string_view> found_;
};

}  // namespace

bool JsonScanner::is_valid(std::string_view doc) { return Validator(doc, {}, {}).document(); }

bool JsonScanner::validate_and_collect(std::string_view doc, std::span<const JsonPath* const> paths,
                                       std::span<std::string_view> found) {
  for (auto& f : found) f = {};
  return Validator(doc, paths, found).document();
}

std::optional<FieldValue> JsonScanner::validate_and_find(std::string_view doc, const JsonPath& path,
                                                         std::string& scratch) {
  const JsonPath* paths[] = {&path};
  std::string_view found[1];
  if (!validate_and_collect(doc, paths, found)) return std::nullopt;
  if (found[0].data() == nullptr) return FieldValue::missing();
  return value_at(found[0], scratch);
}

}  // namespace sluice::routing
