// A payload path such as "data.items[2].id", split into steps once so that
// looking it up per message is a few hash probes and no string parsing or
// allocation. The host's routes and Lua, and the websocket plugin's
// subscription filters, all read payload fields through it.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::common {

class JsonPath {
 public:
  struct Step {
    std::string key;  // object member; empty when this is an array index
    int64_t index = -1;
    bool is_index() const { return index >= 0; }
  };

  // The root path ("").
  JsonPath() = default;
  // Like compile(), for callers that report errors by exception: throws
  // std::invalid_argument carrying compile()'s message.
  explicit JsonPath(std::string_view text);

  // "a.b[2].c", "[0].id", "" (the root). Sets `error` for "a..b", "a[",
  // "a[x]", "a.", ".a".
  static std::optional<JsonPath> compile(std::string_view text, std::string& error);

  // Never fails: empty names are skipped ("a..b" is "a.b", "a." is "a"), and
  // a path with a malformed index ("a[x]", "a[") finds nothing. For lookups
  // that must keep answering for paths compile() refuses (Lua's msg:get).
  static JsonPath lenient(std::string_view text);
  // lenient(text).find(root) without building the path: no allocation, for
  // one-off lookups of paths not known in advance.
  static const boost::json::value* find_lenient(const boost::json::value& root,
                                                std::string_view text);

  // The value at this path, or nullptr when any step is missing.
  const boost::json::value* find(const boost::json::value& root) const;

  const std::vector<Step>& steps() const { return steps_; }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::vector<Step> steps_;
  bool finds_nothing_ = false;  // lenient() of a path with a malformed index
};

}  // namespace sluice::common
