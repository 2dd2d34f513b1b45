// A payload path such as "data.items[2].id", split into steps once at
// compile time so that looking it up per message is a few hash probes and
// no string parsing or allocation.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::routing {

class JsonPath {
 public:
  struct Step {
    std::string key;  // object member; empty when this is an array index
    int64_t index = -1;
    bool is_index() const { return index >= 0; }
  };

  // "a.b[2].c", "[0].id", "" (the root). Sets `error` for "a..b", "a[",
  // "a[x]", "a.", ".a".
  static std::optional<JsonPath> compile(std::string_view text, std::string& error);

  const boost::json::value* find(const boost::json::value& root) const;

  const std::vector<Step>& steps() const { return steps_; }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::vector<Step> steps_;
};

}  // namespace sluice::routing
