// A small immutable set of strings (a filter's accepted values): sorted and
// searched by binary search, compact for the common one-to-ten-values case.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::websocket {

class ValueSet {
 public:
  ValueSet() = default;
  explicit ValueSet(std::vector<std::string> values) : values_(std::move(values)) {
    std::sort(values_.begin(), values_.end());
    values_.erase(std::unique(values_.begin(), values_.end()), values_.end());
  }

  bool contains(std::string_view value) const {
    auto it = std::lower_bound(values_.begin(), values_.end(), value,
                               [](const std::string& a, std::string_view b) { return a < b; });
    return it != values_.end() && *it == value;
  }
  bool contains_all(const ValueSet& other) const {
    return std::includes(values_.begin(), values_.end(), other.values_.begin(),
                         other.values_.end());
  }
  const std::vector<std::string>& values() const { return values_; }
  size_t size() const { return values_.size(); }
  bool empty() const { return values_.empty(); }

 private:
  std::vector<std::string> values_;
};

}  // namespace sluice::websocket
