// Changes a parsed JSON document at a JsonPath: the edits behind msg:set
// and a route's `transform` (set, remove, rename).
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <sluice/common/json_path.hpp>
#include <string>

namespace sluice::routing {

using common::JsonPath;

// Puts `value` at `path` (the root for an empty path). Missing members on
// the way become objects, and so does a null one; an index step must name
// an element that is there, or the one just past the end (which appends).
// Returns "" or what is in the way ("data.items is a string, not an object").
std::string set_at(boost::json::value& root, const JsonPath& path, boost::json::value value);

// Removes the member or array element at `path`; false when there was none
// (or the path is the root, which cannot be removed).
bool remove_at(boost::json::value& root, const JsonPath& path);

// Moves the value at `path` out of the document; nothing when there is none.
std::optional<boost::json::value> take_at(boost::json::value& root, const JsonPath& path);

}  // namespace sluice::routing
