// A YAML document as the loader reads it: env-interpolated scalars, merge keys
// (<<) applied, aliases expanded, and every node and key with its location.
// Built once so that each scalar is interpolated exactly once.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace sluice::config {

struct ConfigNode {
  enum class Kind { kNull, kScalar, kSequence, kMapping };
  struct Entry;

  Kind kind = Kind::kNull;
  std::string text;             // kScalar: the value after ${VAR} interpolation
  bool literal_string = false;  // quoted, block (| >) or !!str: never read as number/bool/null
  bool broken = false;          // its error is already reported (an unset ${VAR}): do not pile on
  SourceLocation where;
  std::vector<ConfigNode> items;  // kSequence
  std::vector<Entry> entries;     // kMapping, in file order, without duplicate keys

  bool is_null() const { return kind == Kind::kNull; }
  bool is_scalar() const { return kind == Kind::kScalar; }
  bool is_sequence() const { return kind == Kind::kSequence; }
  bool is_mapping() const { return kind == Kind::kMapping; }
  // The entry for `key`, or nullptr.
  const Entry* find(std::string_view key) const;
};

struct ConfigNode::Entry {
  std::string key;
  SourceLocation key_where;
  ConfigNode value;
};

// Parses `yaml_text`. YAML syntax errors, unset variables, duplicate keys and
// non-string keys go to `errors`. Returns nullopt when the text is not YAML
// at all, or nests or expands beyond the loader's bounds (then nothing in it
// is checked further); an empty document is an empty mapping.
std::optional<ConfigNode> parse_config_yaml(std::string_view yaml_text, const std::string& file,
                                            const EnvLookup& getenv,
                                            std::vector<Diagnostic>& errors);

}  // namespace sluice::config
