// The generate plugin's small template language: literal text with
// ${...} placeholders (counter, cycles, random numbers and choices, time,
// uuids, and named variables shared by payload, key and subject). Compiled
// once at config time, rendered per message without parsing.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::generate {

// What one message's rendering may depend on.
struct RenderContext {
  uint64_t counter = 1;  // 1 for the first message
  int64_t now_ms = 0;    // wall clock, ms since the epoch
  std::mt19937_64* rng = nullptr;
  const std::vector<std::string>* vars = nullptr;  // values of the named variables
};

class Template {
 public:
  Template() = default;

  // Compiles `text`. `var_names` are the variables it may reference (by
  // ${name}). Throws sluice::ConfigError naming `setting` and the column.
  static Template compile(std::string_view text, const std::vector<std::string>& var_names,
                          std::string_view setting);

  // Appends the rendering to `out`.
  void render(std::string& out, const RenderContext& context) const;

  bool empty() const { return parts_.empty(); }

 private:
  enum class Kind {
    kLiteral,
    kCounter,
    kCycle,
    kRandInt,
    kRandFloat,
    kChoice,
    kNowMs,
    kNowIso,
    kUuid,
    kVar
  };
  struct Part {
    Kind kind = Kind::kLiteral;
    std::string text;                  // kLiteral
    int64_t low = 0, high = 0;         // kCycle (high = N), kRandInt
    double low_f = 0, high_f = 0;      // kRandFloat
    int width = 0;                     // zero padding (ints) or decimals (floats)
    std::vector<std::string> choices;  // kChoice
    size_t var = 0;                    // kVar
  };
  static Part parse_placeholder(std::string_view body, const std::vector<std::string>& var_names);

  std::vector<Part> parts_;
};

// True for the names that ${...} reserves (a variable may not use them).
bool is_builtin_placeholder(std::string_view name);

}  // namespace sluice::generate
