#include "json_path.hpp"

#include <charconv>
#include <stdexcept>

namespace sluice::websocket {

JsonPath::JsonPath(std::string_view text) : text_(text) {
  if (text.empty()) throw std::invalid_argument("empty field path");
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '[') {
      size_t close = text.find(']', i);
      if (close == std::string_view::npos)
        throw std::invalid_argument("missing ']' in field path '" + text_ + "'");
      size_t index = 0;
      auto digits = text.substr(i + 1, close - i - 1);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
      if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty())
        throw std::invalid_argument("bad array index in field path '" + text_ + "'");
      steps_.emplace_back(index);
      i = close + 1;
      if (i < text.size() && text[i] == '.') ++i;
      continue;
    }
    size_t end = text.find_first_of(".[", i);
    if (end == std::string_view::npos) end = text.size();
    if (end == i) throw std::invalid_argument("empty step in field path '" + text_ + "'");
    steps_.emplace_back(std::string(text.substr(i, end - i)));
    i = end;
    if (i < text.size() && text[i] == '.') {
      ++i;
      if (i == text.size()) throw std::invalid_argument("field path '" + text_ + "' ends in '.'");
    }
  }
}

const boost::json::value* JsonPath::find(const boost::json::value& root) const {
  const boost::json::value* at = &root;
  for (const auto& step : steps_) {
    if (const auto* key = std::get_if<std::string>(&step)) {
      const auto* object = at->if_object();
      if (!object) return nullptr;
      at = object->if_contains(*key);
    } else {
      const auto* array = at->if_array();
      size_t index = std::get<size_t>(step);
      if (!array || index >= array->size()) return nullptr;
      at = &(*array)[index];
    }
    if (!at) return nullptr;
  }
  return at;
}

std::optional<std::string> scalar_text(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::string:
      return std::string(value.get_string());
    case boost::json::kind::double_: {
      // Shortest round-trip form (12.5), not Boost 1.81's "1.25E1".
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value.get_double());
      return std::string(buf, end);
    }
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::bool_:
      return boost::json::serialize(value);
    default:
      return std::nullopt;
  }
}

}  // namespace sluice::websocket
