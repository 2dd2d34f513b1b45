// Typed reads of config values: each read either yields the value or records
// one error that names the key path, what was expected and what was found.
#pragma once

#include <optional>
#include <sluice/settings.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config_node.hpp"

namespace sluice::config {

// A string and where it was written (list items each have their own place).
struct LocatedString {
  std::string value;
  SourceLocation where;
};

class FieldReader {
 public:
  explicit FieldReader(std::vector<Diagnostic>& errors) : errors_(errors) {}

  void error(const SourceLocation& where, std::string message);
  std::vector<Diagnostic>& errors() { return errors_; }

  // `path` names the value in messages ("workers", "admin.listen").
  std::optional<int> integer(const ConfigNode& node, std::string_view path, int min, int max);
  std::optional<bool> boolean(const ConfigNode& node, std::string_view path);
  std::optional<std::string> string(const ConfigNode& node, std::string_view path,
                                    bool allow_empty = false);
  // One of `choices`, with a suggestion for a near miss.
  std::optional<std::string> choice(const ConfigNode& node, std::string_view path,
                                    const std::vector<std::string_view>& choices);
  // The same, with the range or the choices of a declared host setting
  // (config/host_settings.hpp), so that what is checked is what `sluice
  // schema` publishes.
  std::optional<int> integer(const ConfigNode& node, std::string_view path,
                             const Setting& declared);
  std::optional<std::string> choice(const ConfigNode& node, std::string_view path,
                                    const Setting& declared);
  // A string or a list of strings (`from: a` and `from: [a, b]`).
  std::optional<std::vector<LocatedString>> string_or_list(const ConfigNode& node,
                                                           std::string_view path);
  // True for a mapping; an error for anything else but null (an empty
  // section, read as "all defaults").
  bool mapping_or_null(const ConfigNode& node, std::string_view path);
  // Reports every key of `mapping` not in `allowed`. `section` is the path
  // of the mapping ("" for the top level). With `allow_extensions`, keys
  // starting with "x-" are free for the user (a home for YAML anchors).
  void reject_unknown_keys(const ConfigNode& mapping, const std::vector<std::string_view>& allowed,
                           std::string_view section, bool allow_extensions = false);

 private:
  void expected(const ConfigNode& node, std::string_view path, std::string_view what);

  std::vector<Diagnostic>& errors_;
};

}  // namespace sluice::config
