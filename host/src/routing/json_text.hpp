// Byte-level helpers shared by the JSON validator and scanner (internal to
// json_*.cpp): whitespace, hex escapes, and a word-at-a-time skip over the
// plain bytes of a string, where most of a payload's bytes are.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace sluice::routing::json_text {

using Byte = unsigned char;

inline bool is_ws(Byte c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

inline int hex_value(Byte c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline bool read_hex4(const Byte*& p, const Byte* end, uint32_t& out) {
  if (end - p < 4) return false;
  out = 0;
  for (int i = 0; i < 4; ++i) {
    int h = hex_value(p[i]);
    if (h < 0) return false;
    out = out * 16 + static_cast<uint32_t>(h);
  }
  p += 4;
  return true;
}

// SWAR (eight bytes per step) tests; each gives the exact lowest matching
// byte, which is all the skips below use.
constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighs = 0x8080808080808080ULL;
inline uint64_t load8(const Byte* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}
inline uint64_t zero_bytes(uint64_t v) { return (v - kOnes) & ~v & kHighs; }
inline uint64_t bytes_equal(uint64_t v, Byte b) { return zero_bytes(v ^ (kOnes * b)); }
inline uint64_t bytes_below(uint64_t v, Byte n) { return (v - kOnes * n) & ~v & kHighs; }
inline const Byte* first_flagged(const Byte* p, uint64_t flags) {
  return p + (std::countr_zero(flags) >> 3);
}
constexpr bool kLittleEndian = std::endian::native == std::endian::little;

// Bytes a validator can accept inside a string without a closer look:
// printable ASCII other than '"' and '\'.
struct PlainTable {
  bool plain[256] = {};
  constexpr PlainTable() {
    for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
  }
};
inline constexpr PlainTable kPlainTable{};

inline const Byte* skip_plain(const Byte* p, const Byte* end) {
  // Strings in events are short; a table step per byte beats wider tricks.
  while (end - p >= 4) {
    if (!kPlainTable.plain[p[0]]) return p;
    if (!kPlainTable.plain[p[1]]) return p + 1;
    if (!kPlainTable.plain[p[2]]) return p + 2;
    if (!kPlainTable.plain[p[3]]) return p + 3;
    p += 4;
  }
  while (p < end && kPlainTable.plain[*p]) ++p;
  return p;
}

// To the next '"' or '\' (the scanner, on text already validated).
inline const Byte* skip_to_quote_or_escape(const Byte* p, const Byte* end) {
  if constexpr (kLittleEndian) {
    while (end - p >= 8) {
      uint64_t w = load8(p);
      uint64_t special = bytes_equal(w, '"') | bytes_equal(w, '\\');
      if (special) return first_flagged(p, special);
      p += 8;
    }
  }
  while (p < end && *p != '"' && *p != '\\') ++p;
  return p;
}

// Decodes the content of a valid JSON string (without its quotes).
void unescape(std::string_view in, std::string& out);

}  // namespace sluice::routing::json_text
