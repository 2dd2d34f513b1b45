#include "routing/value_list_file.hpp"

#include <filesystem>

#include "config/regular_file.hpp"

namespace sluice::routing {
namespace {

std::string_view trimmed(std::string_view line) {
  constexpr std::string_view kSpace = " \t\r";
  size_t begin = line.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  size_t end = line.find_last_not_of(kSpace);
  return line.substr(begin, end - begin + 1);
}

}  // namespace

std::optional<boost::json::array> read_value_file(const std::string& path, std::string_view dir,
                                                  std::string& error) {
  std::filesystem::path file(path);
  if (file.is_relative() && !dir.empty()) file = std::filesystem::path(dir) / file;
  std::string text;
  if (std::string why = config::read_regular_file(file.string(), kMaxValueFileBytes, text);
      !why.empty()) {
    error = "cannot read the value file " + file.string() + ": " + why;
    return std::nullopt;
  }
  boost::json::array values;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    std::string_view value = trimmed(std::string_view(text).substr(begin, end - begin));
    if (!value.empty() && value.front() != '#') values.emplace_back(value);
    begin = end + 1;
  }
  return values;
}

}  // namespace sluice::routing
