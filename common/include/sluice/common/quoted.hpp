// 'text' in single quotes for error messages. Built with append because
// GCC 12 gives a false -Wrestrict warning on "'" + std::string(...).
#pragma once

#include <string>
#include <string_view>

namespace sluice::common {

inline std::string quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('\'');
  out.append(text);
  out.push_back('\'');
  return out;
}

}  // namespace sluice::common
