// How YAML values become typed values: the YAML 1.2 core schema for plain
// scalars (true/false, integers, floats, null/~), quoted and block scalars
// always strings. The host's own fields and the JSON handed to plugins and
// routes read scalars the same way.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config_node.hpp"

namespace sluice::config {

enum class ScalarType { kNull, kBool, kInteger, kFloat, kString };

// The type a null or scalar node reads as (kString for lists and mappings is
// never asked: check the node's kind first).
ScalarType scalar_type(const ConfigNode& node);

// The integer a kInteger scalar holds (decimal, 0x hex, 0o octal); nullopt
// when it does not fit in 64 bits.
std::optional<std::int64_t> scalar_integer(const ConfigNode& node);

// The number a kFloat scalar holds; nullopt when it is too large for a
// double (1e309): it would become infinity, which no setting can mean and
// JSON cannot carry. Too small a number (1e-400) reads as 0.
std::optional<double> scalar_float(const ConfigNode& node);

// The whole node as JSON. An integer too large for 64 bits, or a number too
// large for a double, is an error.
boost::json::value to_json(const ConfigNode& node, std::vector<Diagnostic>& errors);

// The node for an error message: "the string \"two\"", "the integer 5", "a list".
std::string describe(const ConfigNode& node);

}  // namespace sluice::config
