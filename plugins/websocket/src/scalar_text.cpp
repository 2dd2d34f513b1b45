#include "scalar_text.hpp"

#include <charconv>

namespace sluice::websocket {

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
