// A dotted path into a JSON document ("data.DEVICE_ID", "items[0].id") and
// the text form of the scalar found there: what the subscription index keys on.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sluice::websocket {

class JsonPath {
 public:
  // Throws std::invalid_argument naming the problem for a malformed path.
  explicit JsonPath(std::string_view text);

  const std::string& text() const { return text_; }
  // The value at this path, or nullptr when any step is missing.
  const boost::json::value* find(const boost::json::value& root) const;

 private:
  using Step = std::variant<std::string, size_t>;  // object key or array index
  std::string text_;
  std::vector<Step> steps_;
};

// The text a scalar is matched by: strings as they are, numbers and booleans
// as JSON writes them. Objects, arrays and null have none.
std::optional<std::string> scalar_text(const boost::json::value& value);

}  // namespace sluice::websocket
