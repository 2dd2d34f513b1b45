// Reads single fields out of JSON text without building a document: a
// native rule on a 250-byte event then costs a fraction of a full parse.
// It accepts exactly what boost::json::parse accepts with default options
// (UTF-8 checked, at most 32 levels, no comments, no trailing commas), and
// duplicate keys resolve the same way (the last wins), so a rule gives the
// same answer whichever way the payload is read.
#pragma once

#include <optional>
#include <sluice/common/json_path.hpp>
#include <span>
#include <string>
#include <string_view>

#include "routing/field_value.hpp"

namespace sluice::routing {

using common::JsonPath;

class JsonScanner {
 public:
  // Whether `doc` is one well-formed JSON value (whitespace around allowed).
  static bool is_valid(std::string_view doc);

  // Validates `doc` and notes where each of `paths` is, in one pass: found[i]
  // is the JSON text of paths[i]'s value (data() null when it is not
  // there). Up to 64 paths; later ones are not looked for. False when `doc`
  // is not JSON.
  static bool validate_and_collect(std::string_view doc, std::span<const JsonPath* const> paths,
                                   std::span<std::string_view> found);

  // Validates `doc` and finds `path` in the same pass: nothing when `doc` is
  // not JSON. The first field read from a message costs one pass.
  static std::optional<FieldValue> validate_and_find(std::string_view doc, const JsonPath& path,
                                                     std::string& scratch);

  // Looks `path` up in a document already validated. Strings that contain
  // escapes are decoded into `scratch`, and the value's views then point
  // there (valid until the next call with the same scratch). Objects,
  // arrays and numbers also come back with their JSON text in `raw`.
  static FieldValue find(std::string_view doc, const JsonPath& path, std::string& scratch);

  // The value whose JSON text is `raw` (a span of a validated document).
  static FieldValue value_at(std::string_view raw, std::string& scratch);
};

}  // namespace sluice::routing
