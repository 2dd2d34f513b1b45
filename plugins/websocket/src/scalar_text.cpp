#include "scalar_text.hpp"

#include <sluice/common/json_text.hpp>

namespace sluice::websocket {

std::optional<std::string> scalar_text(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::string:
      return std::string(value.get_string());
    case boost::json::kind::double_: {
      std::string text;  // 12.5, not Boost 1.81's "1.25E1"
      common::append_json_number(text, value.get_double());
      return text;
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
