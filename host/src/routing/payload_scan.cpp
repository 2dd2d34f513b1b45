#include "routing/payload_scan.hpp"

#include <algorithm>

#include "routing/json_scanner.hpp"

namespace sluice::routing {

void PayloadScan::prefetch(std::string_view payload, std::span<const JsonPath* const> paths) {
  if (state_ != State::kUnchecked) return;
  noted_ = std::min(paths.size(), kMaxNoted);
  std::copy_n(paths.begin(), noted_, noted_paths_.begin());
  bool valid = JsonScanner::validate_and_collect(payload, std::span(noted_paths_.data(), noted_),
                                                 std::span(noted_values_.data(), noted_));
  state_ = valid ? State::kValid : State::kInvalid;
}

FieldValue PayloadScan::read(std::string_view payload, const JsonPath& path) {
  if (state_ == State::kUnchecked) {
    std::array<const JsonPath*, kMaxNoted> paths;
    size_t n = 0;
    paths[n++] = &path;
    for (const JsonPath* p : plan_)
      if (p != &path && n < kMaxNoted) paths[n++] = p;
    prefetch(payload, std::span(paths.data(), n));
  }
  if (state_ == State::kInvalid) return FieldValue::not_json();
  for (size_t i = 0; i < noted_; ++i) {
    if (noted_paths_[i] == &path || noted_paths_[i]->text() == path.text()) {
      if (noted_values_[i].data() == nullptr) return FieldValue::missing();
      return JsonScanner::value_at(noted_values_[i], scratch_);
    }
  }
  return JsonScanner::find(payload, path, scratch_);
}

}  // namespace sluice::routing
