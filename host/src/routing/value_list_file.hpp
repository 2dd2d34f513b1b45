// `in: { file: ids.txt }` and `not_in: { file: ... }`: a route's set of
// values kept in a file, one per line, because hundreds of ids written
// inline make a config unreadable. Read when the route compiles (at start
// and on every reload), so editing the file and reloading changes the set.
#pragma once

#include <boost/json/array.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::routing {

// A value file holds at most this much: millions of ids, yet a mistaken
// path (a log, a device) cannot fill memory.
inline constexpr std::size_t kMaxValueFileBytes = 64 * 1024 * 1024;

// The values of `path` (relative paths resolved against `dir` when it is
// not empty): one per line, surrounding spaces and a trailing CR removed,
// empty lines and lines starting with '#' skipped, each a JSON string
// (strings that read as numbers match numbers, as inline lists do).
// Nothing, with `error` set, when the file cannot be read.
std::optional<boost::json::array> read_value_file(const std::string& path, std::string_view dir,
                                                  std::string& error);

}  // namespace sluice::routing
