// JSON indented for people (two spaces, one member per line), for commands
// whose output is read and diffed as well as parsed (`sluice schema`).
#pragma once

#include <boost/json.hpp>
#include <string>

namespace sluice::cli {

// `value` as indented JSON text ending with a newline.
std::string pretty_json(const boost::json::value& value);

}  // namespace sluice::cli
