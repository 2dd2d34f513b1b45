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

namespace {

// Reads `text` the way lenient() documents, calling on_key(std::string_view)
// and on_index(int64_t) per step; a callback returns false to stop early.
// Returns false when it stopped, or when an index is malformed (`malformed`
// then says so).
template <class OnKey, class OnIndex>
bool walk_lenient(std::string_view text, bool& malformed, OnKey on_key, OnIndex on_index) {
  malformed = false;
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
        malformed = true;
        return false;
      }
      if (!on_index(static_cast<int64_t>(index))) return false;
      i = close + 1;
      continue;
    }
    size_t end = text.find_first_of(".[", i);
    if (end == std::string_view::npos) end = text.size();
    if (!on_key(text.substr(i, end - i))) return false;
    i = end;
  }
  return true;
}

const boost::json::value* member(const boost::json::value& v, std::string_view key) {
  const auto* object = v.if_object();
  if (!object) return nullptr;
  auto it = object->find(key);
  return it == object->end() ? nullptr : &it->value();
}

const boost::json::value* element(const boost::json::value& v, int64_t index) {
  const auto* array = v.if_array();
  if (!array || static_cast<size_t>(index) >= array->size()) return nullptr;
  return &(*array)[static_cast<size_t>(index)];
}

}  // namespace

JsonPath JsonPath::lenient(std::string_view text) {
  JsonPath path;
  path.text_ = std::string(text);
  walk_lenient(
      text, path.finds_nothing_,
      [&](std::string_view key) {
        path.steps_.push_back({std::string(key), -1});
        return true;
      },
      [&](int64_t index) {
        path.steps_.push_back({{}, index});
        return true;
      });
  if (path.finds_nothing_) path.steps_.clear();
  return path;
}

const boost::json::value* JsonPath::find_lenient(const boost::json::value& root,
                                                 std::string_view text) {
  const boost::json::value* v = &root;
  bool malformed = false;
  bool walked = walk_lenient(
      text, malformed, [&](std::string_view key) { return (v = member(*v, key)) != nullptr; },
      [&](int64_t index) { return (v = element(*v, index)) != nullptr; });
  return walked ? v : nullptr;
}

const boost::json::value* JsonPath::find(const boost::json::value& root) const {
  if (finds_nothing_) return nullptr;
  const boost::json::value* v = &root;
  for (const Step& step : steps_) {
    v = step.is_index() ? element(*v, step.index) : member(*v, step.key);
    if (!v) return nullptr;
  }
  return v;
}

}  // namespace sluice::common
