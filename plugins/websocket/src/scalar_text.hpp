// The text form of the scalar an index field's JsonPath finds in an event:
// what the subscription index keys on.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>

namespace sluice::websocket {

// The text a scalar is matched by: strings as they are, numbers and booleans
// as JSON writes them. Objects, arrays and null have none.
std::optional<std::string> scalar_text(const boost::json::value& value);

}  // namespace sluice::websocket
