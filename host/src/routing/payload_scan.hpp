// Per-message state for reading payload fields by scanning the payload text
// (JsonScanner) instead of building the DOM (Envelope::json). The runtime
// puts one on the stack when native rules run before anything has parsed
// the payload. The first read validates the payload with the same rules as
// the DOM parse (so the answers are the same either way) and, in the same
// pass, notes every field the caller said it will read (prefetch).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <sluice/common/json_path.hpp>
#include <span>
#include <string>
#include <string_view>

#include "routing/field_value.hpp"

namespace sluice::routing {

using common::JsonPath;

class PayloadScan {
 public:
  enum class State : uint8_t { kUnchecked, kValid, kInvalid };
  static constexpr size_t kMaxNoted = 16;

  State state() const { return state_; }

  // Validates `payload` once (later calls do nothing) and notes where the
  // first kMaxNoted of `paths` are.
  void prefetch(std::string_view payload, std::span<const JsonPath* const> paths);

  // Names the fields a caller is about to read, without doing any work yet:
  // the first read() then notes them all in its validating pass. Cleared
  // with an empty span; the paths must outlive the plan.
  void plan(std::span<const JsonPath* const> paths) { plan_ = paths; }
  std::span<const JsonPath* const> planned() const { return plan_; }

  // The value at `path`: kNotJson when the payload is not JSON. Validates on
  // first use; a path not noted by prefetch costs a further scan.
  FieldValue read(std::string_view payload, const JsonPath& path);

 private:
  State state_ = State::kUnchecked;
  size_t noted_ = 0;
  std::array<const JsonPath*, kMaxNoted> noted_paths_{};
  std::array<std::string_view, kMaxNoted> noted_values_{};  // data() null: not there
  std::span<const JsonPath* const> plan_;
  std::string scratch_;  // decoded strings with escapes
};

}  // namespace sluice::routing
