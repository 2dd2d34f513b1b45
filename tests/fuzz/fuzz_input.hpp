// What every fuzz harness shares: the libFuzzer entry point's signature, and
// inputs of several parts (a pattern and a subject, a path and a document)
// written as text so seeds stay readable: parts are separated by a line
// holding only "----".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace sluice::fuzz {

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The first `count` parts of `input` (missing ones are empty); the last
// part holds the rest, separators included.
inline std::vector<std::string_view> split_parts(std::string_view input, size_t count) {
  constexpr std::string_view kSeparator = "\n----\n";
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < count) {
    size_t at = input.find(kSeparator);
    if (at == std::string_view::npos) break;
    parts.push_back(input.substr(0, at));
    input.remove_prefix(at + kSeparator.size());
  }
  parts.push_back(input);
  parts.resize(count);
  return parts;
}

// A broken invariant: abort, so the fuzzer keeps the input (and ASan prints
// where). Not assert(): it must hold in release builds too.
[[noreturn]] void invariant_failed(const char* what, const char* file, int line);

}  // namespace sluice::fuzz

#define FUZZ_CHECK(condition) \
  ((condition) ? (void)0 : ::sluice::fuzz::invariant_failed(#condition, __FILE__, __LINE__))
