#include <charconv>
#include <sluice/common/json_path.hpp>
#include <stdexcept>

namespace sluice::common {

JsonPath::JsonPath(std::string_view text) {
  std::string error;
  auto compiled = compile(text, error);
  if (!compiled) throw std::invalid_argument(error);
  *this = std::move(*compiled);
}

std::optional<JsonPath> JsonPath::compile(std::string_view text, std::string& error) {
  JsonPath path;
  path.text_ = std::string(text);
  size_t i = 0;
  const size_t n = text.size();
  bool expect_key = true;  // at the start or right after a '.'
  while (i < n) {
    if (text[i] == '[') {
      size_t close = text.find(']', i);
      if (close == std::string_view::npos) {
        error = "path '" + std::string(text) + "': '[' without ']'";
        return std::nullopt;
      }
      std::string_view digits = text.substr(i + 1, close - i - 1);
      int64_t index = -1;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
      if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
          index < 0) {
        error = "path '" + std::string(text) + "': '[" + std::string(digits) +
                "]' is not an array index (a non-negative integer)";
        return std::nullopt;
      }
      path.steps_.push_back({{}, index});
      i = close + 1;
      expect_key = false;
      if (i < n && text[i] == '.') {
        ++i;
        expect_key = true;
        if (i == n) break;
      } else if (i < n && text[i] != '[') {
        error = "path '" + std::string(text) + "': expected '.' or '[' after ']'";
        return std::nullopt;
      }
      continue;
    }
    size_t end = text.find_first_of(".[", i);
    if (end == std::string_view::npos) end = n;
    if (end == i) {
      error = "path '" + std::string(text) + "': empty name between separators";
      return std::nullopt;
    }
    path.steps_.push_back({std::string(text.substr(i, end - i)), -1});
    i = end;
    expect_key = false;
    if (i < n && text[i] == '.') {
      ++i;
      expect_key = true;
    }
  }
  if (expect_key && !text.empty()) {
    error = "path '" + std::string(text) + "': ends with '.'";
    return std::nullopt;
  }
  return path;
}

JsonPath JsonPath::lenient(std::string_view text) {
  JsonPath path;
  path.text_ = std::string(text);
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '.') {
      ++i;
      continue;
    }
    if (text[i] == '[') {
      size_t close = text.find(']', i);
      uint64_t index = 0;
      const char* first = text.data() + i + 1;
      const char* last = close == std::string_view::npos ? first : text.data() + close;
      auto [end, ec] = std::from_chars(first, last, index);
      if (close == std::string_view::npos || ec != std::errc() || end != last ||
          index > static_cast<uint64_t>(INT64_MAX)) {
        path.finds_nothing_ = true;
        return path;
      }
      path.steps_.push_back({{}, static_cast<int64_t>(index)});
      i = close + 1;
      continue;
    }
    size_t end = text.find_first_of(".[", i);
    if (end == std::string_view::npos) end = text.size();
    path.steps_.push_back({std::string(text.substr(i, end - i)), -1});
    i = end;
  }
  return path;
}

const boost::json::value* JsonPath::find(const boost::json::value& root) const {
  if (finds_nothing_) return nullptr;
  const boost::json::value* v = &root;
  for (const Step& step : steps_) {
    if (step.is_index()) {
      const auto* array = v->if_array();
      if (!array || static_cast<size_t>(step.index) >= array->size()) return nullptr;
      v = &(*array)[static_cast<size_t>(step.index)];
    } else {
      const auto* object = v->if_object();
      if (!object) return nullptr;
      auto it = object->find(step.key);
      if (it == object->end()) return nullptr;
      v = &it->value();
    }
  }
  return v;
}

}  // namespace sluice::common
